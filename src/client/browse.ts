/**
 * The folder page's enhancements. Everything works without them (links, a sort form with a button, a
 * preview page per file); with JavaScript times show in the user's locale and zone, the sort form applies
 * on change, broken thumbnails fall back to icons, and file links open a preview modal.
 */
import { intlLocale, msg } from './i18n.js';

interface BootstrapModal {
  show(): void;
  hide(): void;
}
interface BootstrapGlobal {
  Modal: { getOrCreateInstance(el: Element): BootstrapModal };
}
declare global {
  interface Window {
    bootstrap?: BootstrapGlobal;
  }
}

/** <time datetime="ISO">… UTC</time> → the page's language (<html lang>) and the user's time zone; the full form goes in the tooltip. */
export function localizeTimes(root: ParentNode = document): void {
  const dateFormat = new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' });
  const fullFormat = new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'full', timeStyle: 'long' });
  for (const el of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const d = new Date(el.dateTime);
    if (Number.isNaN(d.getTime())) continue;
    el.textContent = dateFormat.format(d);
    el.title = fullFormat.format(d);
  }
}

function enableAutoSubmit(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-autosubmit]')) {
    for (const button of form.querySelectorAll<HTMLElement>('[data-nojs-only]')) button.hidden = true;
    form.addEventListener('change', () => form.requestSubmit());
  }
}

/** A thumbnail that fails (no thumbnail service, unreadable image) shows the type icon instead. */
function enableThumbnailFallback(): void {
  const fail = (img: HTMLImageElement): void => {
    img.closest('.pc-thumb')?.classList.add('pc-thumb-failed');
  };
  document.addEventListener(
    'error',
    (event) => {
      const img = event.target;
      if (img instanceof HTMLImageElement && img.classList.contains('pc-thumb-img')) fail(img);
    },
    true,
  );
  // Errors that happened before this module ran.
  for (const img of document.querySelectorAll<HTMLImageElement>('img.pc-thumb-img')) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) fail(img);
  }
}

/** /browse/<drive>/<path> → /<prefix>/<drive>/<path>, keeping the encoding of the link. */
export function siblingUrl(browseHref: string, prefix: string): string {
  return browseHref.replace(/^\/browse\//, `/${prefix}/`);
}

interface PreviewItem {
  row: HTMLElement;
  link: HTMLAnchorElement;
  kind: string;
  name: string;
}

function itemOf(row: HTMLElement): PreviewItem | undefined {
  const kind = row.dataset.kind;
  const link = row.querySelector<HTMLAnchorElement>('a:not(.pc-action)');
  if (!kind || kind === 'dir' || !link) return undefined;
  return { row, link, kind, name: link.textContent?.trim() ?? '' };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, className = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (className) node.className = className;
  return node;
}

function enablePreview(): void {
  // The listing area, not the list itself: the operations UI swaps the list after a change (src/client/ops).
  const list = document.getElementById('pc-listing') ?? document.querySelector<HTMLElement>('[data-browse-list]');
  const modalEl = document.getElementById('preview-modal');
  const bootstrap = window.bootstrap;
  if (!list || !modalEl || !bootstrap) return;
  const modal = bootstrap.Modal.getOrCreateInstance(modalEl);
  const title = document.getElementById('preview-title') as HTMLElement;
  const body = document.getElementById('preview-body') as HTMLElement;
  const meta = document.getElementById('preview-meta') as HTMLElement;
  const page = document.getElementById('preview-page') as HTMLAnchorElement;
  const download = document.getElementById('preview-download') as HTMLAnchorElement;
  const prev = document.getElementById('preview-prev') as HTMLButtonElement;
  const next = document.getElementById('preview-next') as HTMLButtonElement;
  let current: PreviewItem | undefined;
  let opener: HTMLElement | undefined;
  let textRequest: AbortController | undefined;

  const items = (): PreviewItem[] => [...list.querySelectorAll<HTMLElement>('[data-kind]')].map(itemOf).filter((i): i is PreviewItem => i !== undefined);

  const fill = (item: PreviewItem): void => {
    current = item;
    textRequest?.abort();
    textRequest = undefined;
    const href = item.link.getAttribute('href') ?? '';
    const view = siblingUrl(href, 'view');
    title.textContent = item.name;
    page.href = href;
    download.href = item.row.querySelector('a.pc-action')?.getAttribute('href') ?? siblingUrl(href, 'download');
    download.setAttribute('aria-label', `Download ${item.name}`);
    const size = item.row.querySelector('.pc-size')?.textContent?.trim() ?? '';
    const time = item.row.querySelector('time')?.textContent?.trim() ?? '';
    meta.textContent = [size, time].filter(Boolean).join(' · ');
    body.replaceChildren();
    body.dataset.kind = item.kind;
    switch (item.kind) {
      case 'image':
        body.append(el('img', { src: view, alt: item.name }, 'pc-preview-img'));
        break;
      case 'pdf':
        body.append(el('iframe', { src: view, title: item.name }, 'pc-preview-frame'));
        break;
      case 'video': {
        const video = el('video', { src: view, controls: true, preload: 'metadata' }, 'pc-preview-media');
        video.setAttribute('aria-label', item.name);
        body.append(video);
        break;
      }
      case 'audio': {
        const audio = el('audio', { src: view, controls: true, preload: 'metadata' }, 'pc-preview-audio');
        audio.setAttribute('aria-label', item.name);
        body.append(audio);
        break;
      }
      case 'text': {
        const pre = el('pre', { tabIndex: 0 }, 'pc-preview-text');
        pre.setAttribute('aria-label', msg('preview.contentsOf', { name: item.name }));
        pre.setAttribute('aria-busy', 'true');
        pre.textContent = msg('ops.loading');
        body.append(pre);
        const controller = new AbortController();
        textRequest = controller;
        fetch(siblingUrl(href, 'preview-text'), { headers: { Accept: 'text/plain' }, credentials: 'same-origin', signal: controller.signal })
          .then(async (res) => {
            if (!res.ok) throw new Error(res.status === 404 ? msg('preview.notFound') : res.status === 403 ? msg('preview.denied') : msg('preview.failedStatus', { status: String(res.status) }));
            const text = await res.text();
            if (controller.signal.aborted) return;
            pre.textContent = text;
            pre.removeAttribute('aria-busy');
            if (res.headers.get('X-Preview-Truncated') === '1') {
              body.prepend(el('p', { textContent: msg('preview.truncated') }, 'alert alert-info py-2 small'));
            }
          })
          .catch((err: unknown) => {
            if (controller.signal.aborted) return;
            pre.removeAttribute('aria-busy');
            pre.textContent = err instanceof Error ? err.message : msg('preview.failed');
          });
        break;
      }
      default:
        body.append(el('p', { textContent: msg('preview.none') }, 'text-center text-body-secondary py-5 mb-0'));
    }
    const all = items();
    const at = all.findIndex((i) => i.row === item.row);
    prev.disabled = at <= 0;
    next.disabled = at < 0 || at >= all.length - 1;
  };

  const step = (delta: number): void => {
    if (!current) return;
    const all = items();
    const at = all.findIndex((i) => i.row === current?.row);
    const target = all[at + delta];
    if (target) fill(target);
  };

  list.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element).closest<HTMLAnchorElement>('a');
    if (!link || link.classList.contains('pc-action') || !link.closest('[data-browse-list]')) return;
    const row = link.closest<HTMLElement>('[data-kind]');
    const item = row ? itemOf(row) : undefined;
    if (!item || item.link !== link) return;
    // The user's "Clicking a file" setting (/settings): the file's own page is the link itself; a download
    // goes through the row's download link (the page stays); else the preview dialog.
    const mode = list.dataset.fileClick;
    if (mode === 'page') return;
    event.preventDefault();
    if (mode === 'download') {
      window.location.assign(item.row.querySelector('a.pc-action')?.getAttribute('href') ?? siblingUrl(link.getAttribute('href') ?? '', 'download'));
      return;
    }
    opener = link;
    fill(item);
    modal.show();
  });
  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  modalEl.addEventListener('keydown', (event) => {
    const target = event.target as Element;
    if (target.closest('video, audio, pre, input, select, textarea')) return;
    if (event.key === 'ArrowLeft') step(-1);
    else if (event.key === 'ArrowRight') step(1);
  });
  // Keyboard and screen-reader users land in the dialog (Escape, Tab and the arrows then work there).
  modalEl.addEventListener('shown.bs.modal', () => {
    if (!modalEl.contains(document.activeElement)) modalEl.focus();
    modalEl.dataset.state = 'shown';
  });
  modalEl.addEventListener('hidden.bs.modal', () => {
    delete modalEl.dataset.state;
    textRequest?.abort();
    // Stops playback and releases the connection of a video or audio element.
    body.replaceChildren();
    // Back to the row's own link, or the one the user stepped to.
    (current?.link ?? opener)?.focus();
    current = undefined;
  });
}

export function enableBrowse(): void {
  localizeTimes();
  enableAutoSubmit();
  enableThumbnailFallback();
  enablePreview();
}
