/**
 * The search box with JavaScript: instead of leaving for the results page, the form's search streams into a
 * panel under the box (NDJSON from GET /search/…, one line per result as the server finds it), so the folder
 * stays in view and usable. A Stop button, a new search, or leaving the page aborts the request, which stops
 * the search on the server. "Search deeper" reruns it in the panel with the raised limit. Without JavaScript
 * the form is a plain GET to the results page.
 */
import { languageHeader, msg } from './i18n.js';

interface HitLine {
  type: 'hit';
  name: string;
  kind: 'file' | 'folder';
  href: string;
  folderHref: string;
  folderName: string;
}
interface EndLine {
  type: 'end';
  message: string;
  note?: string;
  deeperHref?: string;
  cancelled?: boolean;
}
interface ErrorLine {
  type: 'error';
  message: string;
}
type Line = HitLine | EndLine | ErrorLine | { type: 'start' };

/** One key per tab: a new search from this tab replaces its previous one on the server too. */
function tabKey(): string {
  const KEY = 'pc-search-tab';
  let key = sessionStorage.getItem(KEY);
  if (!key) {
    key = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem(KEY, key);
  }
  return key;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function hitItem(hit: HitLine): HTMLLIElement {
  const li = el('li', 'list-group-item pc-search-hit');
  li.dataset.kind = hit.kind;
  const a = el('a', 'pc-search-hit-name text-break');
  a.href = hit.href;
  a.append(el('i', `bi ${hit.kind === 'folder' ? 'bi-folder' : 'bi-file-earmark'} me-1`));
  a.lastElementChild?.setAttribute('aria-hidden', 'true');
  a.append(hit.name);
  const where = el('span', 'small text-body-secondary', 'in ');
  const folder = el('a', 'pc-search-hit-folder text-break', hit.folderName);
  folder.href = hit.folderHref;
  where.append(folder);
  li.append(a, ' ', where);
  return li;
}

class SearchPanel {
  readonly root = el('section', 'pc-search-results card card-body mb-3');
  private readonly status = el('p', 'pc-search-status mb-2');
  private readonly stop = el('button', 'btn btn-sm btn-outline-secondary pc-search-stop', msg('search.stop'));
  private readonly close = el('button', 'btn btn-sm btn-outline-secondary pc-search-close', msg('search.close'));
  private readonly list = el('ol', 'list-group pc-search-hits');
  private readonly summary = el('div', 'pc-search-summary mt-2');
  private running: AbortController | undefined;

  constructor() {
    this.root.setAttribute('aria-label', msg('search.results'));
    this.status.setAttribute('role', 'status');
    this.stop.type = 'button';
    this.close.type = 'button';
    const head = el('div', 'd-flex flex-wrap align-items-center gap-2');
    head.append(this.status, this.stop, this.close);
    this.status.classList.add('me-auto');
    this.root.append(head, this.list, this.summary);
    this.stop.addEventListener('click', () => this.cancel(msg('search.stopped')));
    this.close.addEventListener('click', () => {
      this.cancel();
      this.root.remove();
    });
    // Leaving the page ends the request anyway; saying so first makes the server stop at once.
    window.addEventListener('pagehide', () => this.running?.abort());
  }

  cancel(message?: string): void {
    if (!this.running) return;
    this.running.abort();
    this.running = undefined;
    this.stop.hidden = true;
    if (message) this.status.textContent = message;
  }

  async run(url: string): Promise<void> {
    this.cancel();
    const ac = new AbortController();
    this.running = ac;
    this.list.replaceChildren();
    this.summary.replaceChildren();
    this.stop.hidden = false;
    this.status.textContent = msg('search.searching');
    let found = 0;
    try {
      const res = await fetch(url, { headers: { Accept: 'application/x-ndjson', ...languageHeader() }, signal: ac.signal, credentials: 'same-origin' });
      const reader = res.body?.getReader();
      if (!reader) throw new Error('no body');
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const text of lines) {
          if (!text) continue;
          const line = JSON.parse(text) as Line;
          if (line.type === 'hit') {
            this.list.append(hitItem(line));
            found++;
            this.status.textContent = msg('search.foundSoFar', { count: String(found) });
          } else if (line.type === 'end') this.finish(line);
          else if (line.type === 'error') this.status.textContent = line.message;
        }
      }
    } catch (err) {
      if (ac.signal.aborted) return;
      this.status.textContent = msg('search.failed');
      console.warn('search failed', err);
    } finally {
      if (this.running === ac) {
        this.running = undefined;
        this.stop.hidden = true;
      }
    }
  }

  private finish(end: EndLine): void {
    this.status.textContent = end.message;
    if (!end.note) return;
    const note = el('p', 'mb-1 pc-search-limit-note', `${end.note} `);
    if (end.deeperHref) {
      const deeper = el('a', 'pc-search-deeper', msg('search.deeper'));
      deeper.href = end.deeperHref;
      deeper.addEventListener('click', (e) => {
        e.preventDefault();
        void this.run(withTab(deeper.href));
      });
      note.append(deeper);
    }
    this.summary.append(note);
  }
}

function withTab(href: string): string {
  const url = new URL(href, location.href);
  url.searchParams.set('tab', tabKey());
  return url.pathname + url.search;
}

export function enableSearch(root: ParentNode = document): void {
  const form = root.querySelector<HTMLFormElement>('form.pc-search');
  if (!form) return;
  let panel: SearchPanel | undefined;
  form.addEventListener('submit', (e) => {
    const input = form.querySelector<HTMLInputElement>('input[name="q"]');
    const q = input?.value.trim() ?? '';
    e.preventDefault();
    if (!q) return;
    panel ??= new SearchPanel();
    if (!panel.root.isConnected) form.after(panel.root);
    // On the results page itself the streamed panel takes the place of the page's own list.
    document.getElementById('pc-search-static')?.remove();
    const url = new URL(form.action, location.href);
    url.searchParams.set('q', q);
    void panel.run(withTab(url.href));
  });
}
