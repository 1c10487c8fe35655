// The page's one voice for screen readers (issue 14, live regions). Results of operations and the milestones of
// an upload go to the polite role="status" region of the layout (views/layouts/base.ejs); errors to a
// role="alert" region, added at the first error so that an empty alert never sits on the page. Callers say
// short sentences; progress is said at its steps only (progressStep), never at every percent.

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

let polite: HTMLElement | null = null;
let assertive: HTMLElement | null = null;

function say(region: HTMLElement, text: string): void {
  // Emptied first, so the same sentence twice is read out twice.
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Says `text` politely (after what the screen reader is saying). */
export function announce(text: string): void {
  polite ??= document.querySelector<HTMLElement>('[data-announce]');
  if (polite) say(polite, text);
}

/** Says an error at once (role="alert"). */
export function announceError(text: string): void {
  if (!assertive) {
    assertive = document.createElement('div');
    assertive.className = 'visually-hidden';
    assertive.setAttribute('role', 'alert');
    assertive.setAttribute('aria-atomic', 'true');
    assertive.dataset.announceAlert = '';
    // Beside the polite region, outside <main> (aria-hidden while a dialog is open).
    document.body.append(assertive);
  }
  say(assertive, text);
}
