/**
 * Live folders: the open folder follows changes on the file server (src/web/live/routes.ts streams them).
 * Events are not patched into rows one by one: a burst is coalesced for a moment, then the listing is fetched
 * again and swapped in (ops' refresh keeps the selection of rows still there), so the rows, their sort, counts
 * and hidden items are always exactly what the server renders. When updates stop (a cap, a server that refuses
 * notify, a lost connection) the page says "Live updates paused" and offers a refresh: never silently stale.
 */
import { localizeTimes } from './browse.js';
import { msg } from './i18n.js';

/** Events that arrive within this of the first one are answered by one re-fetch. */
const COALESCE_MS = 250;

const MESSAGES = {
  'session-cap': 'live.sessionCap',
  'total-cap': 'live.totalCap',
  refused: 'live.refused',
  lost: 'live.lost',
  'signed-out': 'live.signedOut',
  reconnecting: 'live.reconnecting',
} as const;

/** The listing, fetched again: by ops' refresh when it is on the page (it keeps the selection), else here. */
function refetchListing(): Promise<void> {
  let pending: Promise<void> | undefined;
  document.dispatchEvent(new CustomEvent('pc:refresh-listing', { detail: { done: (p: Promise<void>) => (pending = p) } }));
  return pending ?? swapListing();
}

async function swapListing(): Promise<void> {
  const area = document.getElementById('pc-listing');
  if (!area) return;
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) return;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('pc-listing');
    if (!fresh) return;
    area.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
    localizeTimes(area);
  } catch {
    // The listing stays; the next change (or a refresh) brings it up to date.
  }
}

export function enableLive(): void {
  const box = document.querySelector<HTMLElement>('[data-live]');
  const url = box?.dataset.live;
  if (!box || !url || typeof EventSource === 'undefined') return;
  const paused = box.querySelector<HTMLElement>('[data-live-paused]');
  const message = box.querySelector<HTMLElement>('[data-live-message]');
  box.querySelector('[data-live-refresh]')?.addEventListener('click', () => location.reload());

  const show = (state: string, reason?: string): void => {
    box.dataset.liveState = state;
    if (paused) paused.hidden = reason === undefined;
    if (message && reason !== undefined) message.textContent = msg(reason in MESSAGES ? MESSAGES[reason as keyof typeof MESSAGES] : 'live.paused');
  };

  // One re-fetch at a time; changes during one are answered by another right after it.
  let timer: number | undefined;
  let running = false;
  let dirty = false;
  const run = async (): Promise<void> => {
    timer = undefined;
    if (running) {
      dirty = true;
      return;
    }
    running = true;
    try {
      await refetchListing();
    } finally {
      running = false;
      box.dataset.liveRefreshes = String(Number(box.dataset.liveRefreshes ?? 0) + 1);
      if (dirty) {
        dirty = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    timer ??= window.setTimeout(() => void run(), COALESCE_MS);
  };

  let wasLive = false;
  const connect = (): EventSource => {
    const events = new EventSource(url, { withCredentials: true });
    events.addEventListener('live', () => {
      show('live');
      // Back after a dropped stream: whatever changed meanwhile was not reported.
      if (wasLive) schedule();
      wasLive = true;
    });
    events.addEventListener('change', schedule);
    events.addEventListener('overflow', schedule);
    events.addEventListener('paused', (e) => {
      let reason = '';
      try {
        reason = String((JSON.parse((e as MessageEvent<string>).data) as { reason?: unknown }).reason ?? '');
      } catch {
        // a malformed event is still a pause
      }
      // A restarting server: the browser reconnects by itself (possibly to another instance), and resumes.
      if (reason === 'shutdown') return show('reconnecting', 'reconnecting');
      events.close();
      show('paused', reason);
    });
    events.addEventListener('error', () => {
      // Closed for good: the server refused the stream (a 401 after the session ended, say).
      if (events.readyState === EventSource.CLOSED) show('paused', 'closed');
      else show('reconnecting', 'reconnecting');
    });
    return events;
  };
  let events = connect();
  // Leaving the page ends the stream at once, so the server lets go of the watch without waiting for TCP.
  window.addEventListener('pagehide', () => events.close());
  // Back from the back/forward cache: a new stream, and the listing read again (changes meanwhile went unseen).
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted || events.readyState !== EventSource.CLOSED) return;
    events = connect();
  });
}
