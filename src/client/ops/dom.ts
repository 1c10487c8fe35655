// Small DOM helpers shared by the operations UI.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

export function need<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}


interface ModalApi {
  show(): void;
  hide(): void;
}

function bootstrapModal(dialog: HTMLElement): ModalApi {
  const bs = window.bootstrap;
  if (!bs) throw new Error('Bootstrap is not loaded');
  return bs.Modal.getOrCreateInstance(dialog);
}

/**
 * The operations dialogs live at the end of <body>; while one is open the page behind is aria-hidden, so
 * assistive technology (and tests that look for "Delete" by role) meet only the dialog's controls.
 */
export function adoptDialogs(): void {
  const main = document.getElementById('main');
  for (const dialog of document.querySelectorAll<HTMLElement>('[data-ops-dialog]')) {
    document.body.append(dialog);
    dialog.addEventListener('show.bs.modal', () => main?.setAttribute('aria-hidden', 'true'));
    dialog.addEventListener('hidden.bs.modal', () => {
      if (!document.querySelector('.pc-ops-dialog.show')) main?.removeAttribute('aria-hidden');
    });
  }
}

/** Shows a dialog; resolves once it is fully shown (a dialog shown while another hides breaks the backdrop). */
export function showDialog(dialog: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    dialog.addEventListener('shown.bs.modal', () => resolve(), { once: true });
    bootstrapModal(dialog).show();
  });
}

export function hideDialog(dialog: HTMLElement): Promise<void> {
  if (!dialog.classList.contains('show')) return Promise.resolve();
  return new Promise((resolve) => {
    dialog.addEventListener('hidden.bs.modal', () => resolve(), { once: true });
    bootstrapModal(dialog).hide();
  });
}

export function onHidden(dialog: HTMLElement, fn: () => void): void {
  dialog.addEventListener('hidden.bs.modal', fn, { once: true });
}

// The live regions are the page's, not the operations' own (src/client/announce.ts); re-exported for the callers here.
export { announce, announceError } from '../announce.js';

/** A typing field: shortcuts stay away while the user types (checkboxes and buttons are not typing). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  return false;
}
