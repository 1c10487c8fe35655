// The destination picker of copy and move: browses folders (GET /api/files/folders), switches drive, and
// confirms with "Copy here" / "Move here".
import { msg } from '../i18n.js';
import { api, messageOf } from './api.js';
import { el, need, onHidden, showDialog, hideDialog } from './dom.js';

export interface Place {
  drive: string;
  path: string[];
}

interface FolderList {
  folders: { name: string; path: string }[];
  truncated?: boolean;
}

export function pickDestination(kind: 'copy' | 'move', start: Place, source: Place): Promise<Place | undefined> {
  const dialog = need<HTMLElement>(document, '#pc-picker-dialog');
  const driveSelect = need<HTMLSelectElement>(dialog, '[data-picker-drive]');
  const up = need<HTMLButtonElement>(dialog, '[data-picker-up]');
  const where = need<HTMLElement>(dialog, '[data-picker-where]');
  const list = need<HTMLElement>(dialog, '[data-picker-list]');
  const status = need<HTMLElement>(dialog, '[data-picker-status]');
  const confirm = need<HTMLButtonElement>(dialog, '[data-picker-confirm]');
  need<HTMLElement>(dialog, '#pc-picker-title').textContent = kind === 'copy' ? msg('ops.copyTo') : msg('ops.moveTo');
  confirm.textContent = kind === 'copy' ? msg('ops.copyHere') : msg('ops.moveHere');
  const driveName = (id: string): string => Array.from(driveSelect.options).find((o) => o.value === id)?.textContent ?? id;
  let place: Place = { drive: start.drive, path: [...start.path] };
  let loading: AbortController | undefined;
  let chosen: Place | undefined;

  const load = async (): Promise<void> => {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    driveSelect.value = place.drive;
    up.disabled = place.path.length === 0;
    where.textContent = [driveName(place.drive), ...place.path].join(' › ');
    const here = place.drive === source.drive && place.path.join('/') === source.path.join('/');
    confirm.disabled = kind === 'move' && here;
    status.textContent = msg('ops.loading');
    list.replaceChildren();
    try {
      const q = `drive=${encodeURIComponent(place.drive)}&path=${encodeURIComponent(place.path.join('/'))}`;
      const reply = await api<FolderList>('GET', `/api/files/folders?${q}`, undefined, controller.signal);
      if (controller.signal.aborted) return;
      for (const f of reply.folders) {
        const b = el('button', 'list-group-item list-group-item-action text-break pc-picker-folder');
        b.type = 'button';
        const icon = el('i', 'bi bi-folder-fill text-warning me-2');
        icon.setAttribute('aria-hidden', 'true');
        b.append(icon, document.createTextNode(f.name));
        b.addEventListener('click', () => {
          place = { drive: place.drive, path: [...place.path, f.name] };
          void load();
        });
        list.append(b);
      }
      status.textContent =
        (reply.folders.length === 0 ? msg('ops.noFolders') : '') + (kind === 'move' && here ? msg('ops.alreadyHere') : '') + (reply.truncated ? msg('ops.onlyFirstFolders') : '');
    } catch (err) {
      if (controller.signal.aborted) return;
      status.textContent = messageOf(err);
    }
  };

  return new Promise((resolve) => {
    const onDrive = (): void => {
      place = { drive: driveSelect.value, path: [] };
      void load();
    };
    const onUp = (): void => {
      place = { drive: place.drive, path: place.path.slice(0, -1) };
      void load();
    };
    const onConfirm = (): void => {
      chosen = place;
      void hideDialog(dialog);
    };
    driveSelect.addEventListener('change', onDrive);
    up.addEventListener('click', onUp);
    confirm.addEventListener('click', onConfirm);
    onHidden(dialog, () => {
      loading?.abort();
      driveSelect.removeEventListener('change', onDrive);
      up.removeEventListener('click', onUp);
      confirm.removeEventListener('click', onConfirm);
      resolve(chosen);
    });
    void load();
    void showDialog(dialog);
  });
}
