import { announce, announceError, progressStep } from './announce.js';
import { bytes as formatBytes, languageHeader, msg } from './i18n.js';
import { BUSY_RETRY, busyRetryDelay } from './upload-retry.js';
// The uploader: files from the button or dropped (folders too), with per-file and total progress, speed, time
// left, cancel, conflict choices (overwrite / keep both / skip) and a summary. Small files go as one multipart
// POST each (XHR, for upload progress); large ones through the resumable protocol (src/web/transfer/upload-routes.ts)
// in 8 MiB chunks, resuming from the server's offset after a dropped connection, with backoff. A file that keeps
// failing (the connection, or a server that stays busy) ends as failed with a Retry button, which resumes it.

type Conflict = 'overwrite' | 'keep-both' | 'fail';
type State = 'queued' | 'uploading' | 'done' | 'failed' | 'conflict' | 'skipped' | 'cancelled';

interface Item {
  file: File;
  /** Sub-folders below the current folder (from a dropped folder). */
  dirs: string[];
  state: State;
  sent: number;
  message: string;
  savedAs: string;
  xhr: XMLHttpRequest | undefined;
  /** A resumable upload's id, kept for cancel and for finishing again after a conflict. */
  uploadId: string | undefined;
  cancelled: boolean;
  /** Failed for a reason that may pass (connection, busy server): offered a Retry button. */
  retryable: boolean;
  row: HTMLLIElement;
  bar: HTMLDivElement;
  note: HTMLElement;
  actions: HTMLElement;
}

interface HttpReply {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

const RESUMABLE_ABOVE = 16 << 20;
const CHUNK = 8 << 20;
const PARALLEL = 3;
const MAX_RETRIES = 8;
/** "1 file", "3 files" (the live region's sentences). */

class NetworkError extends Error {}
class Cancelled extends Error {}
/** The server kept turning a chunk away (busy) for every retry the policy allows. */
class GaveUp extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function humanTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return msg('upload.seconds', { s });
  if (s < 3600) return msg('upload.minutesSeconds', { m: Math.floor(s / 60), s: s % 60 });
  return msg('upload.hoursMinutes', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text) e.textContent = text;
  return e;
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function errorMessage(reply: HttpReply): string {
  const err = reply.body.error;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  const files = reply.body.files;
  if (Array.isArray(files)) {
    const first = files[0] as { message?: unknown } | undefined;
    if (typeof first?.message === 'string') return first.message;
  }
  return msg('upload.serverAnswered', { status: reply.status });
}

/** Collects files from a drop, walking dropped folders (webkitGetAsEntry) where the browser allows. */
async function droppedFiles(dt: DataTransfer): Promise<{ file: File; dirs: string[] }[]> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  if (entries.length === 0) return (plain.length ? plain : Array.from(dt.files)).map((file) => ({ file, dirs: [] }));
  const out: { file: File; dirs: string[] }[] = plain.map((file) => ({ file, dirs: [] }));
  const walk = async (entry: FileSystemEntry, dirs: string[]): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, dirs });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, [...dirs, entry.name]);
      }
    }
  };
  for (const e of entries) await walk(e, []);
  return out;
}

export function enableUpload(): void {
  const root = document.querySelector<HTMLElement>('[data-upload]');
  if (!root) return;
  const need = <T extends Element>(selector: string): T => {
    const found = root.querySelector<T>(selector);
    if (!found) throw new Error(`upload partial lacks ${selector}`);
    return found;
  };
  // The user's "When an uploaded file already exists" setting: ask (stop at the conflict and offer the choices),
  // replace, or keep both, without asking.
  const conflictDefault = root.dataset.conflictDefault;
  const defaultMode: Conflict = conflictDefault === 'replace' ? 'overwrite' : conflictDefault === 'keep-both' ? 'keep-both' : 'fail';
  const form = need<HTMLFormElement>('.pc-upload-form');
  const input = need<HTMLInputElement>('.pc-upload-input');
  const panel = need<HTMLElement>('.pc-upload-panel');
  const list = need<HTMLUListElement>('.pc-upload-list');
  const totalBar = need<HTMLDivElement>('.pc-upload-total-bar');
  const total = need<HTMLElement>('.pc-upload-total');
  const stats = need<HTMLElement>('.pc-upload-stats');
  const title = need<HTMLElement>('.pc-upload-title');
  const summary = need<HTMLElement>('.pc-upload-summary');
  const cancelAll = need<HTMLButtonElement>('.pc-upload-cancel-all');
  const closeBtn = need<HTMLButtonElement>('.pc-upload-close');
  const drop = need<HTMLElement>('.pc-upload-drop');
  const pick = need<HTMLButtonElement>('.pc-upload-pick');

  const driveId = root.dataset.drive ?? '';
  const folder = JSON.parse(root.dataset.folder ?? '[]') as string[];
  const csrf = root.dataset.csrf ?? '';
  const maxBytes = Number(root.dataset.maxBytes ?? '0');

  // With JavaScript: a button and the drop zone instead of the plain form's controls.
  root.querySelector('.pc-upload-nojs')?.classList.add('d-none');
  input.classList.add('d-none');
  pick.classList.remove('d-none');
  root.querySelector('.pc-upload-hint')?.classList.remove('d-none');
  pick.addEventListener('click', () => input.click());
  // The phone's bottom bar (views/partials/phone-bar.ejs) opens the same picker.
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-upload-trigger]')) b.addEventListener('click', () => input.click());
  // "Take photo" (touch screens): the camera's input feeds the same queue.
  const camera = root.querySelector<HTMLInputElement>('.pc-upload-camera');
  const cameraButton = root.querySelector<HTMLButtonElement>('[data-camera-trigger]');
  if (camera && cameraButton) {
    cameraButton.classList.remove('d-none');
    cameraButton.addEventListener('click', () => camera.click());
  }

  const items: Item[] = [];
  let running = 0;
  let samples: { t: number; bytes: number }[] = [];
  let ticker: number | undefined;
  // What the live region last said of the total (per cent), and whether the end of this batch was said.
  let saidPct = 0;
  let saidEnd = true;

  const folderUrl = (dirs: string[]): string => `/upload/${encodeURIComponent(driveId)}/${[...folder, ...dirs].map((s) => `${encodeURIComponent(s)}/`).join('')}`;

  function xhr(item: Item | undefined, method: string, url: string, body: Document | XMLHttpRequestBodyInit | null, headers: Record<string, string>, onProgress?: (loaded: number) => void): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = new XMLHttpRequest();
      if (item) item.xhr = req;
      req.open(method, url);
      req.setRequestHeader('Accept', 'application/json');
      req.setRequestHeader('Accept-Language', languageHeader()['Accept-Language']);
      if (method !== 'GET' && method !== 'HEAD') req.setRequestHeader('X-CSRF-Token', csrf);
      for (const [k, v] of Object.entries(headers)) req.setRequestHeader(k, v);
      if (onProgress) req.upload.addEventListener('progress', (e) => onProgress(e.loaded));
      req.addEventListener('load', () => {
        const reply = { status: req.status, body: parseBody(req.responseText), retryAfter: req.getResponseHeader('Retry-After') };
        const offset = req.getResponseHeader('Upload-Offset');
        if (offset !== null && reply.body.offset === undefined) reply.body.offset = Number(offset);
        resolve(reply);
      });
      req.addEventListener('error', () => reject(new NetworkError(msg('upload.connectionDropped'))));
      req.addEventListener('timeout', () => reject(new NetworkError(msg('upload.connectionTimedOut'))));
      req.addEventListener('abort', () => reject(new Cancelled('Cancelled.')));
      req.send(body);
    });
  }

  function render(item: Item): void {
    const pct = item.file.size === 0 ? (item.state === 'done' ? 100 : 0) : Math.min(100, Math.floor((item.sent / item.file.size) * 100));
    item.bar.style.width = `${pct}%`;
    item.bar.parentElement?.setAttribute('aria-valuenow', String(pct));
    item.row.dataset.state = item.state;
    item.bar.classList.toggle('bg-success', item.state === 'done');
    item.bar.classList.toggle('bg-danger', item.state === 'failed');
    item.bar.classList.toggle('bg-secondary', item.state === 'skipped' || item.state === 'cancelled');
    item.bar.classList.toggle('bg-warning', item.state === 'conflict');
    const labels: Record<State, string> = {
      queued: msg('upload.waiting'),
      uploading: item.message ? `${pct}% · ${item.message}` : `${pct}%`,
      done: item.savedAs && item.savedAs !== item.file.name ? msg('upload.savedAs', { name: item.savedAs }) : msg('upload.done'),
      failed: item.message || msg('upload.failed'),
      conflict: item.message || msg('upload.alreadyExists'),
      skipped: msg('upload.skipped'),
      cancelled: msg('upload.cancelled'),
    };
    item.note.textContent = labels[item.state];
    item.actions.replaceChildren();
    if (item.state === 'queued' || item.state === 'uploading') {
      const b = el('button', 'btn btn-sm btn-link text-danger p-0', msg('upload.cancel'));
      b.type = 'button';
      b.setAttribute('aria-label', msg('upload.cancelFile', { name: item.file.name }));
      b.addEventListener('click', () => cancel(item));
      item.actions.append(b);
    } else if (item.state === 'conflict') {
      for (const [label, mode] of [[msg('upload.overwrite'), 'overwrite'], [msg('upload.keepBoth'), 'keep-both'], [msg('upload.skip'), 'skip']] as const) {
        const b = el('button', `btn btn-sm ${mode === 'overwrite' ? 'btn-outline-danger' : 'btn-outline-secondary'}`, label);
        b.type = 'button';
        b.addEventListener('click', () => resolveConflict(item, mode));
        item.actions.append(b);
      }
    } else if (item.state === 'failed' && item.retryable) {
      const b = el('button', 'btn btn-sm btn-outline-primary', msg('upload.retry'));
      b.type = 'button';
      b.setAttribute('aria-label', msg('upload.retryFile', { name: item.file.name }));
      b.addEventListener('click', () => retry(item));
      item.actions.append(b);
    }
  }

  function renderTotal(): void {
    const active = items.filter((i) => i.state !== 'skipped' && i.state !== 'cancelled');
    const size = active.reduce((s, i) => s + i.file.size, 0);
    const sent = active.reduce((s, i) => s + Math.min(i.sent, i.file.size), 0);
    const pct = size === 0 ? 100 : Math.floor((sent / size) * 100);
    totalBar.style.width = `${pct}%`;
    total.setAttribute('aria-valuenow', String(pct));
    const step = items.some((i) => i.state === 'uploading') ? progressStep(saidPct, pct) : undefined;
    if (step !== undefined) announce(msg('upload.announceStep', { percent: String(step) }));
    saidPct = pct;
    const now = performance.now();
    samples.push({ t: now, bytes: sent });
    samples = samples.filter((s) => now - s.t <= 5000);
    const first = samples[0];
    const speed = first && now - first.t > 300 ? ((sent - first.bytes) * 1000) / (now - first.t) : 0;
    const busy = items.some((i) => i.state === 'uploading' || i.state === 'queued');
    stats.textContent = busy
      ? `${msg('upload.of', { sent: formatBytes(sent), size: formatBytes(size) })} · ${speed > 0 ? msg('upload.perSecond', { size: formatBytes(speed) }) : '…'} · ${speed > 0 ? msg('upload.left', { time: humanTime((size - sent) / speed) }) : msg('upload.estimating')}`
      : msg('upload.of', { sent: formatBytes(sent), size: formatBytes(size) });
  }

  function finishedAll(): void {
    if (items.some((i) => i.state === 'uploading' || i.state === 'queued')) return;
    if (ticker !== undefined) window.clearInterval(ticker);
    ticker = undefined;
    renderTotal();
    const done = items.filter((i) => i.state === 'done');
    const failed = items.filter((i) => i.state === 'failed');
    const conflicts = items.filter((i) => i.state === 'conflict');
    const skipped = items.filter((i) => i.state === 'skipped' || i.state === 'cancelled');
    title.textContent = conflicts.length ? msg('upload.someExist') : msg('upload.finished');
    cancelAll.classList.add('d-none');
    closeBtn.classList.remove('d-none');
    summary.replaceChildren();
    summary.className = `pc-upload-summary mb-3 alert ${failed.length || conflicts.length ? 'alert-warning' : 'alert-success'} py-2`;
    const line = (label: string, list: Item[], describe: (i: Item) => string): void => {
      if (list.length === 0) return;
      const p = el('p', 'mb-1');
      p.append(el('strong', '', msg('upload.summaryLine', { label, count: String(list.length) })), document.createTextNode(list.map(describe).join(', ')));
      summary.append(p);
    };
    line(msg('upload.summaryUploaded'), done, (i) => i.savedAs || i.file.name);
    line(msg('upload.summaryFailed'), failed, (i) => `${i.file.name} (${i.message})`);
    line(msg('upload.summaryWaiting'), conflicts, (i) => i.file.name);
    line(msg('upload.summarySkipped'), skipped, (i) => i.file.name);
    if (!saidEnd) {
      saidEnd = true;
      const parts = [msg('upload.announceUploaded', { count: done.length })];
      if (failed.length) parts.push(msg('upload.announceFailedCount', { count: failed.length }));
      if (conflicts.length) parts.push(msg('upload.announceExist', { count: conflicts.length }));
      if (skipped.length) parts.push(msg('upload.announceSkipped', { count: skipped.length }));
      announce(msg('upload.announceFinished', { parts: parts.join(', ') }));
    }
    if (done.length && !conflicts.length) {
      const a = el('a', 'alert-link', msg('upload.refresh'));
      a.href = window.location.href;
      summary.append(a);
    }
  }

  function setState(item: Item, state: State, message = ''): void {
    item.state = state;
    item.message = message;
    render(item);
  }

  async function postSmall(item: Item, mode: Conflict): Promise<void> {
    const fd = new FormData();
    fd.append('file', item.file, item.file.name);
    const url = `${folderUrl(item.dirs)}?conflict=${mode}${item.dirs.length ? '&mkdir=1' : ''}`;
    const reply = await xhr(item, 'POST', url, fd, {}, (loaded) => {
      item.sent = Math.min(item.file.size, loaded);
    });
    const first = (Array.isArray(reply.body.files) ? reply.body.files[0] : undefined) as { ok?: boolean; savedAs?: string; status?: number; message?: string } | undefined;
    if (reply.status < 300 && first?.ok) {
      item.sent = item.file.size;
      item.savedAs = first.savedAs ?? item.file.name;
      return setState(item, 'done');
    }
    if (reply.status === 409) {
      item.sent = 0;
      return setState(item, 'conflict', errorMessage(reply));
    }
    throw new Error(errorMessage(reply));
  }

  async function withRetries<T>(item: Item, what: () => Promise<T>, recover: () => Promise<void>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await what();
      } catch (err) {
        if (item.cancelled || err instanceof Cancelled) throw new Cancelled('Cancelled.');
        if (!(err instanceof NetworkError) || attempt >= MAX_RETRIES) throw err;
        item.note.textContent = msg('upload.retrying');
        await sleep(Math.min(30_000, 500 * 2 ** attempt));
        await recover().catch(() => undefined);
      }
    }
  }

  async function finishResumable(item: Item, id: string, mode?: Conflict): Promise<void> {
    const reply = await withRetries(item, () => xhr(item, 'POST', `/uploads/${id}/finish${mode ? `?conflict=${mode}` : ''}`, null, {}), async () => undefined);
    if (reply.status === 201) {
      item.savedAs = typeof reply.body.name === 'string' ? reply.body.name : item.file.name;
      item.uploadId = undefined;
      return setState(item, 'done');
    }
    if (reply.status === 409 && (reply.body.error as { code?: string } | undefined)?.code === 'exists') return setState(item, 'conflict', errorMessage(reply));
    throw new Error(errorMessage(reply));
  }

  async function putResumable(item: Item, mode: Conflict): Promise<void> {
    const created = await withRetries(
      item,
      () => xhr(item, 'POST', '/uploads', JSON.stringify({ drive: driveId, folder: [...folder, ...item.dirs], name: item.file.name, size: item.file.size, conflict: mode, mkdir: item.dirs.length > 0 }), { 'Content-Type': 'application/json' }),
      async () => undefined,
    );
    if (created.status === 409) return setState(item, 'conflict', errorMessage(created));
    if (created.status !== 201 || typeof created.body.id !== 'string') throw new Error(errorMessage(created));
    item.uploadId = created.body.id;
    await sendChunks(item, created.body.id, false);
  }

  /** Sends the file (a resumed one from where the server says the upload stands), then finishes it. */
  async function sendChunks(item: Item, id: string, resume: boolean): Promise<void> {
    let offset = 0;
    const size = item.file.size;
    /** Chunks turned away in a row (busy), for the backoff; a chunk that lands resets it. */
    let busy = 0;
    const askOffset = async (): Promise<void> => {
      const r = await xhr(item, 'GET', `/uploads/${id}`, null, {});
      if (r.status === 200 && typeof r.body.offset === 'number') offset = r.body.offset;
      else if (r.status >= 400 && r.status < 500) throw new Error(errorMessage(r));
    };
    if (resume) await askOffset();
    while (offset < size) {
      const at = offset;
      const reply = await withRetries(
        item,
        () => xhr(item, 'PUT', `/uploads/${id}?offset=${offset}`, item.file.slice(offset, Math.min(size, offset + CHUNK)), { 'Content-Type': 'application/octet-stream' }, (loaded) => {
          item.sent = at + loaded;
        }),
        askOffset,
      );
      if (reply.status === 200 && typeof reply.body.offset === 'number') {
        offset = reply.body.offset;
        busy = 0;
      } else if (reply.status === 409 && typeof reply.body.offset === 'number') offset = reply.body.offset;
      // upload_busy: an earlier try of this chunk is still being written (on another instance); wait for it.
      // 502/504: the load balancer lost the instance this chunk went to (it died or restarted); another one
      // knows where the upload stands, so ask and go on from there.
      else if (
        reply.status === 423 ||
        reply.status === 502 ||
        reply.status === 503 ||
        reply.status === 504 ||
        (reply.status === 409 && (reply.body.error as { code?: string } | undefined)?.code === 'upload_busy')
      ) {
        const wait = busyRetryDelay(busy++, reply.retryAfter, Date.now());
        if (wait === undefined) throw new GaveUp(msg('upload.gaveUp', { status: reply.status, tries: BUSY_RETRY.maxRetries }));
        item.message = msg('upload.busy', { s: Math.max(1, Math.round(wait / 1000)) });
        render(item);
        await sleep(wait);
        item.message = '';
        if (item.cancelled) throw new Cancelled('Cancelled.');
        await askOffset();
      } else throw new Error(errorMessage(reply));
      item.sent = offset;
    }
    await finishResumable(item, id);
  }

  async function run(item: Item, mode: Conflict): Promise<void> {
    running++;
    setState(item, 'uploading');
    item.cancelled = false;
    item.retryable = false;
    try {
      if (maxBytes > 0 && item.file.size > maxBytes) throw new Error(msg('upload.tooLarge', { max: formatBytes(maxBytes) }));
      if (item.file.size > RESUMABLE_ABOVE) await putResumable(item, mode);
      else await postSmall(item, mode);
    } catch (err) {
      fail(item, err);
    } finally {
      item.xhr = undefined;
      running--;
      next();
    }
  }

  function fail(item: Item, err: unknown): void {
    if (item.cancelled || err instanceof Cancelled) return setState(item, 'cancelled');
    item.retryable = err instanceof GaveUp || err instanceof NetworkError;
    setState(item, 'failed', err instanceof Error ? err.message : String(err));
    announceError(msg('upload.announceError', { name: item.file.name, message: item.message }));
  }

  /** The Retry button: a resumable upload goes on from what the server holds; anything else starts again. */
  function retry(item: Item): void {
    const id = item.uploadId;
    if (!id) {
      setState(item, 'queued');
      reopen();
      next();
      return;
    }
    reopen();
    running++;
    item.cancelled = false;
    item.retryable = false;
    setState(item, 'uploading');
    sendChunks(item, id, true)
      .catch((err: unknown) => fail(item, err))
      .finally(() => {
        item.xhr = undefined;
        running--;
        next();
      });
  }

  /** The panel back in its uploading state (after it showed the summary). */
  function reopen(): void {
    saidEnd = false;
    startTicker();
    cancelAll.classList.remove('d-none');
    closeBtn.classList.add('d-none');
    title.textContent = msg('upload.uploading');
  }

  function next(): void {
    while (running < PARALLEL) {
      const item = items.find((i) => i.state === 'queued');
      if (!item) break;
      void run(item, defaultMode);
    }
    finishedAll();
  }

  function cancel(item: Item): void {
    if (item.state === 'queued') return setState(item, 'cancelled');
    item.cancelled = true;
    item.xhr?.abort();
    const id = item.uploadId;
    item.uploadId = undefined;
    if (id) void xhr(undefined, 'DELETE', `/uploads/${id}`, null, {}).catch(() => undefined);
  }

  function resolveConflict(item: Item, mode: 'overwrite' | 'keep-both' | 'skip'): void {
    if (mode === 'skip') {
      const id = item.uploadId;
      item.uploadId = undefined;
      if (id) void xhr(undefined, 'DELETE', `/uploads/${id}`, null, {}).catch(() => undefined);
      setState(item, 'skipped');
      finishedAll();
      return;
    }
    saidEnd = false;
    startTicker();
    cancelAll.classList.remove('d-none');
    closeBtn.classList.add('d-none');
    title.textContent = msg('upload.uploading');
    running++;
    setState(item, 'uploading');
    const id = item.uploadId;
    const work = id ? finishResumable(item, id, mode) : item.file.size > RESUMABLE_ABOVE ? putResumable(item, mode) : postSmall(item, mode);
    work
      .catch((err: unknown) => setState(item, item.cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        running--;
        next();
      });
  }

  function startTicker(): void {
    if (ticker === undefined) ticker = window.setInterval(() => {
      for (const i of items) if (i.state === 'uploading') render(i);
      renderTotal();
    }, 250);
  }

  function add(batch: { file: File; dirs: string[] }[]): void {
    if (batch.length === 0) return;
    panel.classList.remove('d-none');
    summary.classList.add('d-none');
    cancelAll.classList.remove('d-none');
    closeBtn.classList.add('d-none');
    title.textContent = msg('upload.uploading');
    announce(msg('upload.announceStart', { count: batch.length }));
    saidEnd = false;
    for (const { file, dirs } of batch) {
      const row = el('li', 'pc-upload-item mb-2');
      const head = el('div', 'd-flex flex-wrap align-items-center gap-2 small');
      const name = el('span', 'text-break me-auto pc-upload-name', [...dirs, file.name].join('/'));
      const size = el('span', 'text-body-secondary', formatBytes(file.size));
      const note = el('span', 'pc-upload-note');
      const actions = el('span', 'd-flex gap-1 pc-upload-actions');
      head.append(name, size, note, actions);
      const progress = el('div', 'progress pc-upload-progress');
      progress.setAttribute('role', 'progressbar');
      progress.setAttribute('aria-label', msg('upload.progressOf', { name: file.name }));
      progress.setAttribute('aria-valuemin', '0');
      progress.setAttribute('aria-valuemax', '100');
      const bar = el('div', 'progress-bar');
      progress.append(bar);
      row.append(head, progress);
      list.append(row);
      const item: Item = { file, dirs, state: 'queued', sent: 0, message: '', savedAs: '', xhr: undefined, uploadId: undefined, cancelled: false, retryable: false, row, bar, note, actions };
      items.push(item);
      render(item);
    }
    startTicker();
    next();
  }

  input.addEventListener('change', () => {
    add(Array.from(input.files ?? []).map((file) => ({ file, dirs: [] })));
    input.value = '';
  });
  camera?.addEventListener('change', () => {
    add(Array.from(camera.files ?? []).map((file) => ({ file, dirs: [] })));
    camera.value = '';
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    add(Array.from(input.files ?? []).map((file) => ({ file, dirs: [] })));
  });
  cancelAll.addEventListener('click', () => {
    for (const i of items) if (i.state === 'queued' || i.state === 'uploading') cancel(i);
  });
  closeBtn.addEventListener('click', () => {
    if (items.some((i) => i.state === 'done')) window.location.reload();
    else panel.classList.add('d-none');
  });

  // Dropping anywhere on the page.
  let depth = 0;
  const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    drop.classList.remove('d-none');
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) drop.classList.add('d-none');
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e) || !e.dataTransfer) return;
    e.preventDefault();
    depth = 0;
    drop.classList.add('d-none');
    void droppedFiles(e.dataTransfer).then(add);
  });
  window.addEventListener('beforeunload', (e) => {
    if (items.some((i) => i.state === 'uploading' || i.state === 'queued')) e.preventDefault();
  });
}
