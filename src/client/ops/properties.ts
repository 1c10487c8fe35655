// The properties dialog: GET /api/files/properties (fields from the contract), the UNC path with a Copy
// button, and a folder's size on demand (measure=1) with a Cancel that aborts the request.
import { formatBytes } from '../../format/bytes.js';
import { api, messageOf, type Measure, type Properties } from './api.js';
import { el, need, onHidden, plural, showDialog } from './dom.js';
import type { Item } from './selection.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const when = (iso: string | undefined): string => {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? dateFormat.format(d) : '—';
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
  const more = m.complete ? '' : 'at least ';
  const why = m.complete ? '' : m.limit === 'time' ? ' (counting stopped: it took too long)' : ' (counting stopped at the limit)';
  return `${more}${plural(m.files, 'file')} in ${plural(m.folders, 'folder')}, ${formatBytes(m.bytes)}${why}`;
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
  need<HTMLElement>(dialog, '#pc-props-title').textContent = `Properties of “${item.name}”`;
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
    row('Name', item.name);
    row('Type', item.isDir ? 'Folder' : 'File');
    if (!item.isDir) row('Size', `${formatBytes(item.bytes)} (${item.bytes.toLocaleString()} bytes)`);
    const time = item.row.querySelector('time');
    if (time) row('Modified', time.title || time.textContent || '');
  };
  const fill = (p: Properties): void => {
    list.replaceChildren();
    row('Name', p.name);
    row('Type', p.type === 'folder' ? 'Folder' : 'File');
    if (p.type === 'file') row('Size', `${formatBytes(p.size)} (${p.size.toLocaleString()} bytes)`);
    const unc = el('span', 'font-monospace me-2 pc-props-unc', p.unc);
    const wrap = el('span');
    wrap.append(unc);
    const copy = el('button', 'btn btn-sm btn-outline-secondary', 'Copy');
    copy.type = 'button';
    copy.title = 'Copy the network path';
    copy.addEventListener('click', () => {
      copyText(p.unc, unc).then(
        () => (copy.textContent = 'Copied'),
        () => (copy.textContent = 'Copy failed'),
      );
    });
    wrap.append(copy);
    row('Location', wrap);
    row('Created', when(p.created));
    row('Modified', when(p.modified));
    row('Accessed', when(p.accessed));
    row('Changed', when(p.changed));
    const attrs = [p.attributes.readOnly && 'Read-only', p.attributes.hidden && 'Hidden', p.attributes.system && 'System', p.attributes.archive && 'Archive'].filter(Boolean).join(', ');
    row('Attributes', attrs || 'None');
    row('Owner', p.owner ? (p.owner.name ?? p.owner.sid) : 'Unknown');
  };

  const onStart = (): void => {
    measuring?.abort();
    const controller = new AbortController();
    measuring = controller;
    start.hidden = true;
    cancel.hidden = false;
    result.textContent = 'Counting…';
    api<Properties>('GET', propertiesUrl(drive, path, true), undefined, controller.signal).then(
      (p) => {
        cancel.hidden = true;
        start.hidden = false;
        start.textContent = 'Count again';
        result.textContent = p.measure ? measureText(p.measure) : 'The server did not count this folder.';
      },
      (err: unknown) => {
        cancel.hidden = true;
        start.hidden = false;
        result.textContent = controller.signal.aborted ? 'Counting cancelled.' : messageOf(err);
      },
    );
  };
  const onCancel = (): void => measuring?.abort();

  fallback();
  status.textContent = 'Loading…';
  measureBox.hidden = !item.isDir;
  start.hidden = false;
  start.textContent = 'Calculate size';
  cancel.hidden = true;
  result.textContent = '';
  api<Properties>('GET', propertiesUrl(drive, path), undefined, loading.signal).then(
    (p) => {
      status.textContent = '';
      fill(p);
    },
    (err: unknown) => {
      if (loading.signal.aborted) return;
      status.textContent = `Some details are not available: ${messageOf(err)}`;
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
