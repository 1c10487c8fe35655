/**
 * Buttons with data-copy="<selector>" copy that element's text, e.g. an error page's reference
 * for the help desk. They ship hidden and appear only where the Clipboard API exists.
 */
import { msg } from './i18n.js';

export function enableCopyButtons(root: ParentNode = document): void {
  if (!navigator.clipboard) return;
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    const target = document.querySelector(button.dataset.copy ?? '');
    if (!target) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(target.textContent?.trim() ?? '').then(
        () => {
          button.textContent = msg('ops.copied');
        },
        () => {
          button.textContent = msg('ops.copyFailed');
        },
      );
    });
  }
}
