/**
 * The folder page's operations (issue 12): toolbar, row menu, drag to move, multi-select, and the
 * dialogs and jobs behind them, all on the JSON API (ops-contract). Without JavaScript the page's <noscript>
 * forms post to /ops/ instead.
 */
import { localizeTimes } from '../browse.js';
import { api, ApiError, joinPath, messageOf, setCsrf, type Job, type Measure, type Properties, type Resolution } from './api.js';
import { askConflicts, askName, confirmDelete } from './dialogs.js';
import { adoptDialogs, announce } from './dom.js';
import { msg } from '../i18n.js';
import { Jobs } from './jobs.js';
import { RowMenu } from './menu.js';
import { pickDestination, type Place } from './picker.js';
import { propertiesUrl, showProperties } from './properties.js';
import { describeSelection, itemOf, type Item, Selection } from './selection.js';

/** The type our own row drags carry (file drops from the desktop carry 'Files' and go to the uploader). */
const DRAG_TYPE = 'application/x-portcullis-items';

interface Ctx {
  drive: string;
  folder: string[];
  canWrite: boolean;
  bar: HTMLElement;
  area: HTMLElement;
  selection: Selection;
  jobs: Jobs;
  zipForm: HTMLFormElement | null;
}

function parseFolder(json: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** The folder a breadcrumb link (/browse/<drive>/<a>/<b>/) points at. */
export function placeOfHref(href: string): Place | undefined {
  const m = /^\/browse\/([^/]+)\/(.*)$/.exec(href);
  if (!m) return undefined;
  try {
    return { drive: decodeURIComponent(m[1] ?? ''), path: (m[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent) };
  } catch {
    return undefined;
  }
}

const nameOfPlace = (p: Place): string => {
  const last = p.path[p.path.length - 1];
  if (last !== undefined) return `“${last}”`;
  const option = document.querySelector<HTMLOptionElement>(`[data-picker-drive] option[value="${CSS.escape(p.drive)}"]`);
  return `“${option?.textContent ?? p.drive}”`;
};

/** Fetches this folder's page again and swaps in its listing (after a change), keeping the rest of the page. */
async function refresh(ctx: Ctx): Promise<void> {
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const fresh = doc.getElementById('pc-listing');
    if (!fresh) return;
    // Read at the swap, not before the fetch: a row ticked meanwhile stays ticked.
    const keep = new Set(ctx.selection.items().map((i) => i.name));
    ctx.area.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
    localizeTimes(ctx.area);
    ctx.selection.reset(keep);
    ctx.area.dataset.refreshed = String(Number(ctx.area.dataset.refreshed ?? 0) + 1);
  } catch {
    // The listing stays as it was; a reload shows the change.
  }
}

function rowNamed(ctx: Ctx, name: string): HTMLElement | undefined {
  return ctx.selection.rows().find((r) => r.dataset.name === name);
}

async function measureFolder(ctx: Ctx, item: Item, signal: AbortSignal): Promise<Measure> {
  const p = await api<Properties>('GET', propertiesUrl(ctx.drive, [...ctx.folder, item.name], true), undefined, signal);
  if (!p.measure) throw new Error('not measured');
  return p.measure;
}

async function newFolder(ctx: Ctx): Promise<void> {
  let created = '';
  const ok = await askName({
    title: msg('ops.newFolder'),
    submit: msg('ops.create'),
    value: '',
    run: async (name) => {
      try {
        await api('POST', '/api/files/mkdir', { drive: ctx.drive, path: joinPath(ctx.folder), name });
        created = name;
        return undefined;
      } catch (err) {
        return messageOf(err);
      }
    },
  });
  if (!ok) return;
  await refresh(ctx);
  announce(msg('ops.createdFolder', { name: created }));
  rowNamed(ctx, created)?.querySelector<HTMLElement>('a')?.focus();
}

async function rename(ctx: Ctx, item: Item): Promise<void> {
  let to = '';
  const ok = await askName({
    title: msg('ops.renameTitle', { name: item.name }),
    submit: msg('ops.rename'),
    value: item.name,
    run: async (name) => {
      if (name === item.name) return undefined;
      try {
        await api('POST', '/api/files/rename', { drive: ctx.drive, path: joinPath([...ctx.folder, item.name]), name });
        to = name;
        return undefined;
      } catch (err) {
        return messageOf(err);
      }
    },
  });
  if (!ok || !to) return;
  await refresh(ctx);
  announce(msg('ops.renamed', { from: item.name, to }));
  rowNamed(ctx, to)?.querySelector<HTMLElement>('a')?.focus();
}

async function remove(ctx: Ctx, items: Item[]): Promise<void> {
  if (!(await confirmDelete(items, (i, signal) => measureFolder(ctx, i, signal)))) return;
  try {
    const reply = await api<{ job: Job }>('POST', '/api/files/delete', { drive: ctx.drive, paths: items.map((i) => joinPath([...ctx.folder, i.name])) });
    ctx.jobs.track(reply.job, items.length === 1 ? msg('ops.deletingOne', { name: items[0]?.name ?? '' }) : msg('ops.deletingMany', { count: items.length }));
  } catch (err) {
    ctx.jobs.notice('danger', messageOf(err));
  }
}

/** Copy or move, asking per item when names clash (409 conflicts) and posting again with the answers. */
async function transfer(ctx: Ctx, kind: 'copy' | 'move', names: string[], to: Place): Promise<void> {
  const where = nameOfPlace(to);
  const label =
    names.length === 1
      ? msg(kind === 'copy' ? 'ops.copyingOne' : 'ops.movingOne', { name: names[0] ?? '', to: where })
      : msg(kind === 'copy' ? 'ops.copyingMany' : 'ops.movingMany', { count: names.length, to: where });
  let resolutions: Record<string, Resolution> = {};
  for (let round = 0; round < 5; round++) {
    try {
      const body = { drive: ctx.drive, paths: names.map((n) => joinPath([...ctx.folder, n])), to: { drive: to.drive, path: joinPath(to.path) }, ...(round > 0 ? { resolutions } : {}) };
      const reply = await api<{ job: Job }>('POST', `/api/files/${kind}`, body);
      ctx.jobs.track(reply.job, label);
      return;
    } catch (err) {
      const conflicts = err instanceof ApiError && err.status === 409 ? (err.body.conflicts as { name: string; type: string }[] | undefined) : undefined;
      if (!Array.isArray(conflicts) || conflicts.length === 0) {
        ctx.jobs.notice('danger', messageOf(err));
        return;
      }
      const answers = await askConflicts(conflicts, nameOfPlace(to));
      if (!answers) {
        ctx.jobs.notice('warning', msg(kind === 'copy' ? 'ops.nothingCopied' : 'ops.nothingMoved'));
        return;
      }
      resolutions = { ...resolutions, ...answers };
    }
  }
  ctx.jobs.notice('danger', msg('ops.namesKeepChanging'));
}

async function chooseAndTransfer(ctx: Ctx, kind: 'copy' | 'move', items: Item[]): Promise<void> {
  const here = { drive: ctx.drive, path: ctx.folder };
  const to = await pickDestination(kind, here, here);
  if (to) await transfer(ctx, kind, items.map((i) => i.name), to);
}

function downloadZip(ctx: Ctx, items: Item[]): void {
  const form = ctx.zipForm;
  if (!form) return;
  for (const old of form.querySelectorAll('input[name="name"]')) old.remove();
  for (const i of items) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'name';
    input.value = i.name;
    form.append(input);
  }
  form.submit();
}

function run(ctx: Ctx, op: string, items: Item[]): void {
  const one = items.length === 1 ? items[0] : undefined;
  const writeOps = ['mkdir', 'rename', 'delete', 'move'];
  if (writeOps.includes(op) && !ctx.canWrite) return;
  switch (op) {
    case 'mkdir':
      void newFolder(ctx);
      break;
    case 'select-all':
      ctx.selection.selectAll();
      announce(msg('ops.sentence', { text: describeSelection(ctx.selection.items(), ', ') }));
      break;
    case 'clear':
      ctx.selection.clear();
      break;
    case 'select-mode':
      ctx.selection.setSelectMode(!ctx.selection.selectMode);
      announce(ctx.selection.selectMode ? msg('ops.selectModeOn') : msg('ops.selectModeOff'));
      break;
    case 'rename':
      if (one) void rename(ctx, one);
      break;
    case 'delete':
      if (items.length) void remove(ctx, items);
      break;
    case 'copy':
    case 'move':
      if (items.length) void chooseAndTransfer(ctx, op, items);
      break;
    case 'zip':
      if (items.length) downloadZip(ctx, items);
      break;
    case 'properties':
      if (one) void showProperties(ctx.drive, ctx.folder, one);
      break;
  }
}

/** Drag rows onto a folder row or a breadcrumb to move them there. */
function enableDragToMove(ctx: Ctx): void {
  if (!ctx.canWrite) return;
  let dragged: string[] = [];
  const carries = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes(DRAG_TYPE);
  const destOf = (target: EventTarget | null): { place: Place; el: HTMLElement } | undefined => {
    if (!(target instanceof Element)) return undefined;
    const row = target.closest<HTMLElement>('[data-name][data-kind="dir"]');
    if (row && ctx.area.contains(row)) {
      const name = row.dataset.name ?? '';
      if (dragged.includes(name)) return undefined;
      return { place: { drive: ctx.drive, path: [...ctx.folder, name] }, el: row };
    }
    const crumb = target.closest<HTMLAnchorElement>('.pc-crumbs a.pc-crumb-name');
    const place = crumb ? placeOfHref(crumb.getAttribute('href') ?? '') : undefined;
    if (crumb && place && place.drive === ctx.drive && joinPath(place.path) !== joinPath(ctx.folder)) return { place, el: crumb };
    return undefined;
  };
  ctx.area.addEventListener('dragstart', (e) => {
    const row = (e.target as Element).closest<HTMLElement>('[data-name]');
    if (!row || !e.dataTransfer) return;
    dragged = ctx.selection.has(row) ? ctx.selection.items().map((i) => i.name) : [row.dataset.name ?? ''];
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(dragged));
    e.dataTransfer.effectAllowed = 'copyMove';
  });
  ctx.area.addEventListener('dragend', () => {
    dragged = [];
    for (const t of document.querySelectorAll('.pc-drop-target')) t.classList.remove('pc-drop-target');
  });
  const over = (e: DragEvent): void => {
    if (!carries(e)) return;
    const dest = destOf(e.target);
    if (!dest) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    dest.el.classList.add('pc-drop-target');
  };
  document.addEventListener('dragenter', over);
  document.addEventListener('dragover', over);
  document.addEventListener('dragleave', (e) => {
    const dest = destOf(e.target);
    if (dest && !dest.el.contains(e.relatedTarget as Node | null)) dest.el.classList.remove('pc-drop-target');
  });
  document.addEventListener('drop', (e) => {
    if (!carries(e)) return;
    const dest = destOf(e.target);
    if (!dest) return;
    e.preventDefault();
    dest.el.classList.remove('pc-drop-target');
    const names = dragged.length ? dragged : parseFolder(e.dataTransfer?.getData(DRAG_TYPE));
    dragged = [];
    if (names.length) void transfer(ctx, 'move', names, dest.place);
  });
}

export function enableOps(): void {
  const bar = document.querySelector<HTMLElement>('[data-ops]');
  const area = document.getElementById('pc-listing');
  const panel = document.querySelector<HTMLElement>('[data-jobs]');
  const menuEl = document.querySelector<HTMLElement>('[data-row-menu]');
  if (!bar || !area || !panel || !menuEl || !window.bootstrap) return;
  setCsrf(bar.dataset.csrf ?? '');
  adoptDialogs();
  const ctx: Ctx = {
    drive: bar.dataset.drive ?? '',
    folder: parseFolder(bar.dataset.folder),
    canWrite: bar.dataset.canWrite !== '0',
    bar,
    area,
    selection: new Selection(area, bar),
    jobs: new Jobs(panel, () => void refresh(ctx)),
    zipForm: document.querySelector<HTMLFormElement>('[data-zip-form]'),
  };
  const onButton = (e: Event): void => {
    const b = (e.target as Element).closest<HTMLButtonElement>('button[data-op]');
    if (b && !b.disabled) run(ctx, b.dataset.op ?? '', ctx.selection.items());
  };
  bar.addEventListener('click', onButton);
  // The phone's bottom bar (views/partials/phone-bar.ejs): New folder and Select, through the same run().
  document.querySelector<HTMLElement>('[data-bottom-bar]')?.addEventListener('click', onButton);
  // The menu lives on in its listeners.
  new RowMenu(
    menuEl,
    area,
    (op, row) => run(ctx, op, ctx.selection.has(row) ? ctx.selection.items() : [itemOf(row)]),
    (row) => {
      // A menu on a row outside the selection acts on that row alone, as desktop file managers do.
      if (!ctx.selection.has(row)) ctx.selection.only(row);
      const n = ctx.selection.items().length;
      for (const b of menuEl.querySelectorAll<HTMLButtonElement>('[data-needs="one"]')) b.hidden = n > 1;
    },
  );
  enableDragToMove(ctx);
  // Live folders (src/client/live.ts) ask for this same refresh when the server reports a change.
  document.addEventListener('pc:refresh-listing', (e) => (e as CustomEvent<{ done?: (p: Promise<void>) => void }>).detail.done?.(refresh(ctx)));
  void ctx.jobs.restore();
}
