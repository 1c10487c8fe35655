// The name dialog (new folder, rename), the delete confirmation and the per-item conflict question.
import { bytes as formatBytes, msg } from '../i18n.js';
import type { Measure, Resolution } from './api.js';
import { el, hideDialog, need, onHidden, showDialog } from './dom.js';
import type { Item } from './selection.js';

/**
 * Asks for a name. `run` does the work and returns an error message to show (the dialog stays open so the
 * user can correct the name) or undefined when done (the dialog closes). Resolves true when done.
 */
export function askName(opts: { title: string; submit: string; value: string; run: (name: string) => Promise<string | undefined> }): Promise<boolean> {
  const dialog = need<HTMLElement>(document, '#pc-name-dialog');
  const form = need<HTMLFormElement>(dialog, '[data-name-form]');
  const input = need<HTMLInputElement>(dialog, '#pc-name-input');
  const error = need<HTMLElement>(dialog, '#pc-name-error');
  const submit = need<HTMLButtonElement>(dialog, '[data-name-submit]');
  need<HTMLElement>(dialog, '#pc-name-title').textContent = opts.title;
  submit.textContent = opts.submit;
  submit.disabled = false;
  input.value = opts.value;
  input.removeAttribute('aria-invalid');
  error.textContent = '';
  let done = false;
  return new Promise((resolve) => {
    const onSubmit = (e: Event): void => {
      e.preventDefault();
      const name = input.value.trim();
      if (!name) {
        error.textContent = msg('ops.typeName');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      submit.disabled = true;
      void opts.run(name).then((problem) => {
        submit.disabled = false;
        if (problem) {
          error.textContent = problem;
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        done = true;
        void hideDialog(dialog);
      });
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener(
      'shown.bs.modal',
      () => {
        input.focus();
        // Select the name without its extension, as desktop file managers do on rename.
        const dot = opts.value.lastIndexOf('.');
        input.setSelectionRange(0, dot > 0 ? dot : opts.value.length);
      },
      { once: true },
    );
    onHidden(dialog, () => {
      form.removeEventListener('submit', onSubmit);
      resolve(done);
    });
    void showDialog(dialog);
  });
}

/** "3 items, 1 folder with 214 files, 1.2 GB" from the items and what measuring their folders found so far. */
export function deleteSummary(items: Item[], measured: Map<string, Measure | null>): string {
  const parts = [msg('ops.items', { count: items.length })];
  const folders = items.filter((i) => i.isDir);
  let bytes = items.reduce((sum, i) => sum + (i.isDir ? 0 : i.bytes), 0);
  let counted = true;
  if (folders.length > 0) {
    let files = 0;
    let complete = true;
    for (const f of folders) {
      const m = measured.get(f.name);
      if (!m) {
        counted = false;
        continue;
      }
      files += m.files;
      bytes += m.bytes;
      if (!m.complete) complete = false;
    }
    const pending = folders.some((f) => !measured.has(f.name));
    const folderCount = msg('ops.folders', { count: folders.length });
    const fileCount = msg('ops.files', { count: files });
    parts.push(
      counted ? msg(complete ? 'ops.withFiles' : 'ops.withMoreThanFiles', { folders: folderCount, files: fileCount }) : pending ? msg('ops.countingFolders', { folders: folderCount }) : folderCount,
    );
  }
  parts.push(counted ? formatBytes(bytes) : msg('ops.notCounted', { size: formatBytes(bytes) }));
  return parts.join(', ');
}

/**
 * Asks before deleting. `measure` counts a folder (GET /api/files/properties?measure=1); the summary fills in
 * as the counts arrive, and closing the dialog aborts them. Resolves true when the user confirms.
 */
export function confirmDelete(items: Item[], measure: (item: Item, signal: AbortSignal) => Promise<Measure>): Promise<boolean> {
  const dialog = need<HTMLElement>(document, '#pc-delete-dialog');
  const summary = need<HTMLElement>(dialog, '[data-delete-summary]');
  const names = need<HTMLElement>(dialog, '[data-delete-names]');
  const confirm = need<HTMLButtonElement>(dialog, '[data-delete-confirm]');
  const measured = new Map<string, Measure | null>();
  const controller = new AbortController();
  const update = (): void => {
    summary.textContent = deleteSummary(items, measured);
  };
  update();
  names.replaceChildren(
    ...items.slice(0, 12).map((i) => {
      const li = el('li', 'text-break');
      li.append(el('i', `bi ${i.isDir ? 'bi-folder-fill text-warning' : 'bi-file-earmark'} me-1`), document.createTextNode(i.name));
      li.querySelector('i')?.setAttribute('aria-hidden', 'true');
      return li;
    }),
  );
  if (items.length > 12) names.append(el('li', 'text-body-secondary', msg('ops.moreItems', { count: items.length - 12 })));
  for (const f of items.filter((i) => i.isDir)) {
    measure(f, controller.signal).then(
      (m) => {
        measured.set(f.name, m);
        update();
      },
      () => {
        if (controller.signal.aborted) return;
        measured.set(f.name, null);
        update();
      },
    );
  }
  let confirmed = false;
  return new Promise((resolve) => {
    const onConfirm = (): void => {
      confirmed = true;
      void hideDialog(dialog);
    };
    confirm.addEventListener('click', onConfirm);
    dialog.addEventListener('shown.bs.modal', () => confirm.focus(), { once: true });
    onHidden(dialog, () => {
      controller.abort();
      confirm.removeEventListener('click', onConfirm);
      resolve(confirmed);
    });
    void showDialog(dialog);
  });
}

/**
 * Asks, item by item, what to do with names that already exist in the destination; "Apply to all" answers the
 * rest the same way. Resolves the answers, or undefined when the user cancels.
 */
export async function askConflicts(conflicts: { name: string; type: string }[], where: string): Promise<Record<string, Resolution> | undefined> {
  const dialog = need<HTMLElement>(document, '#pc-conflict-dialog');
  const text = need<HTMLElement>(dialog, '[data-conflict-text]');
  const all = need<HTMLInputElement>(dialog, '[data-conflict-all]');
  const allWrap = need<HTMLElement>(dialog, '[data-conflict-all-wrap]');
  const allLabel = need<HTMLElement>(dialog, '[data-conflict-all-label]');
  const answers: Record<string, Resolution> = {};
  all.checked = false;
  await showDialog(dialog);
  try {
    for (let i = 0; i < conflicts.length; i++) {
      const c = conflicts[i];
      if (!c) continue;
      const left = conflicts.length - i - 1;
      text.textContent = msg(c.type === 'folder' ? 'ops.conflictFolder' : 'ops.conflictFile', { name: c.name, where });
      allWrap.hidden = left === 0;
      allLabel.textContent = msg('ops.applyToAllMore', { count: left });
      const choice = await new Promise<Resolution | 'cancel'>((resolve) => {
        const onClick = (e: Event): void => {
          const b = (e.target as Element).closest<HTMLButtonElement>('[data-conflict]');
          if (!b) return;
          dialog.removeEventListener('click', onClick);
          resolve(b.dataset.conflict as Resolution | 'cancel');
        };
        dialog.addEventListener('click', onClick);
        need<HTMLButtonElement>(dialog, '[data-conflict="keep-both"]').focus();
      });
      if (choice === 'cancel') return undefined;
      if (all.checked && left > 0) {
        for (const rest of conflicts.slice(i)) answers[rest.name] = choice;
        break;
      }
      answers[c.name] = choice;
    }
    return answers;
  } finally {
    await hideDialog(dialog);
  }
}
