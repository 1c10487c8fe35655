// The properties dialog: GET /api/files/properties (fields from the contract), the UNC path with a Copy
// button, and a folder's size on demand (measure=1) with a Cancel that aborts the request.
import { bytes as formatBytes, intlLocale, msg, num } from '../i18n.js';
import { api, messageOf, type Measure, type Properties } from './api.js';
import { el, need, onHidden, showDialog } from './dom.js';
import type { Item } from './selection.js';

const when = (iso: string | undefined): string => {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d) : '—';
};

/**
 * Puts text on the clipboard. The Clipboard API exists only in secure contexts; a server reached over plain
 * HTTP by name (not localhost) has none, so there the shown text is selected and copied the old way.
 */
async function copyText(text: string, shown: HTMLElement): Promise<void> {
  if (navigator.clipboard) return navigator.clipboard.writeText(text);
  const range = document.createRange();
  range.selectNodeContents(shown);
  const selection = getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  if (!document.execCommand('copy')) throw new Error('copy refused');
}

export function propertiesUrl(drive: string, path: string[], measure = false): string {
  return `/api/files/properties?drive=${encodeURIComponent(drive)}&path=${encodeURIComponent(path.join('/'))}${measure ? '&measure=1' : ''}`;
}

export function measureText(m: Measure): string {
  const why = m.complete ? '' : m.limit === 'time' ? msg('ops.stoppedTime') : msg('ops.stoppedLimit');
  const parts = { files: msg('ops.files', { count: m.files }), folders: msg('ops.folders', { count: m.folders }), size: formatBytes(m.bytes) };
  return `${msg(m.complete ? 'ops.measure' : 'ops.measureAtLeast', parts)}${why}`;
}

export function showProperties(drive: string, folder: string[], item: Item): Promise<void> {
  const dialog = need<HTMLElement>(document, '#pc-props-dialog');
  const list = need<HTMLElement>(dialog, '[data-props-list]');
  const status = need<HTMLElement>(dialog, '[data-props-status]');
  const measureBox = need<HTMLElement>(dialog, '[data-props-measure]');
  const start = need<HTMLButtonElement>(dialog, '[data-props-measure-start]');
  const cancel = need<HTMLButtonElement>(dialog, '[data-props-measure-cancel]');
  const result = need<HTMLElement>(dialog, '[data-props-measure-result]');
  const path = [...folder, item.name];
  need<HTMLElement>(dialog, '#pc-props-title').textContent = msg('ops.propertiesOf', { name: item.name });
  const loading = new AbortController();
  let measuring: AbortController | undefined;

  const row = (label: string, value: string | Node): void => {
    const dt = el('dt', 'col-sm-4 text-body-secondary', label);
    const dd = el('dd', 'col-sm-8 text-break');
    dd.append(value);
    list.append(dt, dd);
  };
  const fallback = (): void => {
    list.replaceChildren();
    row(msg('ops.name'), item.name);
    row(msg('ops.type'), item.isDir ? msg('ops.folder') : msg('ops.file'));
    if (!item.isDir) row(msg('ops.size'), msg('ops.sizeBytes', { size: formatBytes(item.bytes), bytes: num(item.bytes) }));
    const time = item.row.querySelector('time');
    if (time) row(msg('ops.modified'), time.title || time.textContent || '');
  };
  const fill = (p: Properties): void => {
    list.replaceChildren();
    row(msg('ops.name'), p.name);
    row(msg('ops.type'), p.type === 'folder' ? msg('ops.folder') : msg('ops.file'));
    if (p.type === 'file') row(msg('ops.size'), msg('ops.sizeBytes', { size: formatBytes(p.size), bytes: num(p.size) }));
    const unc = el('span', 'font-monospace me-2 pc-props-unc', p.unc);
    const wrap = el('span');
    wrap.append(unc);
    const copy = el('button', 'btn btn-sm btn-outline-secondary', msg('ops.copy'));
    copy.type = 'button';
    copy.title = msg('ops.copyUncTitle');
    copy.addEventListener('click', () => {
      copyText(p.unc, unc).then(
        () => (copy.textContent = msg('ops.copied')),
        () => (copy.textContent = msg('ops.copyFailed')),
      );
    });
    wrap.append(copy);
    row(msg('ops.location'), wrap);
    row(msg('ops.created'), when(p.created));
    row(msg('ops.modified'), when(p.modified));
    row(msg('ops.accessed'), when(p.accessed));
    row(msg('ops.changed'), when(p.changed));
    const attrs = [p.attributes.readOnly && msg('ops.readOnly'), p.attributes.hidden && msg('ops.hidden'), p.attributes.system && msg('ops.system'), p.attributes.archive && msg('ops.archive')].filter(Boolean).join(', ');
    row(msg('ops.attributes'), attrs || msg('ops.none'));
    row(msg('ops.owner'), p.owner ? (p.owner.name ?? p.owner.sid) : msg('ops.unknown'));
  };

  const onStart = (): void => {
    measuring?.abort();
    const controller = new AbortController();
    measuring = controller;
    start.hidden = true;
    cancel.hidden = false;
    result.textContent = msg('ops.counting');
    api<Properties>('GET', propertiesUrl(drive, path, true), undefined, controller.signal).then(
      (p) => {
        cancel.hidden = true;
        start.hidden = false;
        start.textContent = msg('ops.countAgain');
        result.textContent = p.measure ? measureText(p.measure) : msg('ops.notCountedByServer');
      },
      (err: unknown) => {
        cancel.hidden = true;
        start.hidden = false;
        result.textContent = controller.signal.aborted ? msg('ops.countingCancelled') : messageOf(err);
      },
    );
  };
  const onCancel = (): void => measuring?.abort();

  fallback();
  status.textContent = msg('ops.loading');
  measureBox.hidden = !item.isDir;
  start.hidden = false;
  start.textContent = msg('ops.calculateSize');
  cancel.hidden = true;
  result.textContent = '';
  api<Properties>('GET', propertiesUrl(drive, path), undefined, loading.signal).then(
    (p) => {
      status.textContent = '';
      fill(p);
    },
    (err: unknown) => {
      if (loading.signal.aborted) return;
      status.textContent = msg('ops.someDetailsMissing', { message: messageOf(err) });
    },
  );
  start.addEventListener('click', onStart);
  cancel.addEventListener('click', onCancel);
  return new Promise((resolve) => {
    onHidden(dialog, () => {
      loading.abort();
      measuring?.abort();
      start.removeEventListener('click', onStart);
      cancel.removeEventListener('click', onCancel);
      resolve();
    });
    void showDialog(dialog);
  });
}
