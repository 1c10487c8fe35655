// The menu of a row: right-click on a desktop, long-press or the "⋯" button on touch. One shared menu element,
// placed where it was asked for; arrows move between its items, Escape closes it and returns focus.
import { msg } from '../i18n.js';

const LONG_PRESS_MS = 550;
const MOVE_TOLERANCE = 10;

export class RowMenu {
  private row: HTMLElement | undefined;
  private opener: HTMLElement | undefined;
  private suppressClick = false;
  private openedAt = { x: 0, y: 0 };

  constructor(
    private readonly menu: HTMLElement,
    area: HTMLElement,
    private readonly onPick: (op: string, row: HTMLElement) => void,
    private readonly beforeOpen: (row: HTMLElement) => void,
  ) {
    document.body.append(menu);
    area.addEventListener('click', (e) => {
      if (this.suppressClick) {
        // The click that ends a long-press must not also follow the row's link.
        this.suppressClick = false;
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      const more = (e.target as Element).closest<HTMLElement>('.pc-more');
      const row = more?.closest<HTMLElement>('[data-name]');
      if (!more || !row) return;
      const r = more.getBoundingClientRect();
      this.open(row, r.left, r.bottom, more);
    }, true);
    area.addEventListener('contextmenu', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-name]');
      if (!row) return;
      e.preventDefault();
      if (this.isOpen() && this.row === row) return;
      this.open(row, e.clientX, e.clientY, row.querySelector<HTMLElement>('.pc-more') ?? undefined);
    });
    this.longPress(area);
    menu.addEventListener('click', (e) => {
      const item = (e.target as Element).closest<HTMLButtonElement>('[data-op]');
      if (!item || !this.row) return;
      const row = this.row;
      this.close(false);
      this.onPick(item.dataset.op ?? '', row);
    });
    menu.addEventListener('keydown', (e) => this.keys(e));
    document.addEventListener('pointerdown', (e) => {
      if (this.isOpen() && !menu.contains(e.target as Node)) this.close(false);
    });
    window.addEventListener('resize', () => this.close(false));
    // Scrolling the page away closes the menu. Measured from where the page was at opening: a scroll event the
    // browser dispatches late for a scroll that happened before the menu opened (the row scrolled into view for
    // the click) must not close it.
    window.addEventListener('scroll', () => {
      if (Math.abs(window.scrollY - this.openedAt.y) > 16 || Math.abs(window.scrollX - this.openedAt.x) > 16) this.close(false);
    }, { passive: true });
  }

  isOpen(): boolean {
    return this.menu.classList.contains('show');
  }

  open(row: HTMLElement, x: number, y: number, opener?: HTMLElement): void {
    this.beforeOpen(row);
    this.row = row;
    this.openedAt = { x: window.scrollX, y: window.scrollY };
    this.opener = opener ?? row.querySelector<HTMLElement>('a') ?? undefined;
    this.menu.classList.add('show');
    this.menu.style.position = 'fixed';
    const w = this.menu.offsetWidth;
    const h = this.menu.offsetHeight;
    this.menu.style.left = `${Math.max(4, Math.min(x, window.innerWidth - w - 4))}px`;
    this.menu.style.top = `${Math.max(4, y + h > window.innerHeight - 4 ? y - h : y)}px`;
    this.menu.setAttribute('aria-label', msg('ops.actionsFor', { name: row.dataset.name ?? '' }));
    this.opener?.setAttribute('aria-expanded', 'true');
    this.items()[0]?.focus();
  }

  close(returnFocus = true): void {
    if (!this.isOpen()) return;
    this.menu.classList.remove('show');
    this.opener?.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.opener?.focus();
    this.row = undefined;
  }

  private items(): HTMLButtonElement[] {
    return Array.from(this.menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')).filter((b) => !b.disabled && !b.hidden);
  }

  private keys(e: KeyboardEvent): void {
    const items = this.items();
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number): void => items[(i + items.length) % items.length]?.focus();
    if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(items.length - 1);
    else if (e.key === 'Escape') this.close();
    else if (e.key === 'Tab') this.close(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
    e.stopPropagation();
  }

  /** Touch: holding a row opens its menu (iOS Safari fires no contextmenu event for it). */
  private longPress(area: HTMLElement): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let start: { x: number; y: number } | undefined;
    const stop = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    area.addEventListener(
      'touchstart',
      (e) => {
        const touch = e.touches[0];
        const row = (e.target as Element).closest<HTMLElement>('[data-name]');
        if (!touch || !row || e.touches.length > 1 || (e.target as Element).closest('input, .pc-more')) return;
        start = { x: touch.clientX, y: touch.clientY };
        stop();
        timer = setTimeout(() => {
          timer = undefined;
          if (this.isOpen() && this.row === row) return;
          this.suppressClick = true;
          // A click that never comes (the finger slid off) must not swallow a later one.
          setTimeout(() => (this.suppressClick = false), 800);
          this.open(row, start?.x ?? 0, start?.y ?? 0);
        }, LONG_PRESS_MS);
      },
      { passive: true },
    );
    area.addEventListener(
      'touchmove',
      (e) => {
        const t = e.touches[0];
        if (t && start && Math.hypot(t.clientX - start.x, t.clientY - start.y) > MOVE_TOLERANCE) stop();
      },
      { passive: true },
    );
    area.addEventListener('touchend', stop);
    area.addEventListener('touchcancel', stop);
  }
}
