// The page's one voice for screen readers (issue 14, live regions). Results of operations and the milestones of
// an upload go to a polite role="status" region; errors to a role="alert" region. Both are added by this module at
// the end of <body>, outside <main> (aria-hidden while a dialog is open): the polite one at start-up on pages that
// speak (enableAnnouncer), so it exists before its first words as screen readers need; the alert one at the first
// error, so that an empty alert never sits on the page. Callers say short sentences; progress is said at its steps
// only (progressStep), never at every percent.

/** Progress is announced when it crosses one of these (per cent). */
export const PROGRESS_STEP = 25;

/**
 * The step to announce when progress moves from `before` to `now` per cent, or undefined when no step was
 * crossed. Steps are 25, 50 and 75: 0 is the start and 100 the end, which callers say in words of their own.
 */
export function progressStep(before: number, now: number): number | undefined {
  const step = Math.floor(Math.min(now, 99) / PROGRESS_STEP) * PROGRESS_STEP;
  return step > 0 && step > Math.floor(Math.max(before, 0) / PROGRESS_STEP) * PROGRESS_STEP ? step : undefined;
}

let polite: HTMLElement | undefined;
let assertive: HTMLElement | undefined;

function region(role: 'status' | 'alert'): HTMLElement {
  const div = document.createElement('div');
  div.className = 'visually-hidden';
  div.setAttribute('role', role);
  if (role === 'status') {
    div.setAttribute('aria-live', 'polite');
    div.dataset.announce = '';
  } else {
    div.dataset.announceAlert = '';
  }
  div.setAttribute('aria-atomic', 'true');
  document.body.append(div);
  return div;
}

/** The polite region, made now on a page that will speak (a folder page: uploads and file operations). */
export function enableAnnouncer(): void {
  if (document.querySelector('[data-ops], [data-upload]')) polite ??= region('status');
}

function say(target: HTMLElement, text: string): void {
  // Emptied first, so the same sentence twice is read out twice.
  target.textContent = '';
  setTimeout(() => {
    target.textContent = text;
  }, 50);
}

/** Says `text` politely (after what the screen reader is saying). */
export function announce(text: string): void {
  polite ??= region('status');
  say(polite, text);
}

/** Says an error at once (role="alert"). */
export function announceError(text: string): void {
  assertive ??= region('alert');
  say(assertive, text);
}
