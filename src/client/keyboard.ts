/**
 * Keyboard shortcuts on a folder page (issue 13): one document-level keydown handler, driven by the table in
 * src/format/shortcuts.ts (which the "?" dialog and /help also show). Arrow keys move a roving focus through the
 * listing's rows or tiles; actions that other modules own are triggered by clicking their controls
 * (data-shortcut="…"), so each keeps its own rules: a read-only drive has no rename button, so F2 does nothing.
 * No shortcut fires while the user types in a field, or while a dialog or menu is open.
 */
import { chordsOf, type Chord, SHORTCUTS, type ShortcutId } from '../format/shortcuts.js';
import { msg } from './i18n.js';
import { announce, isTyping } from './ops/dom.js';
import { describeSelection, type Item, itemOf } from './ops/selection.js';

/** How long the first key of a sequence ("g" of "g h") waits for the next. */
const SEQUENCE_MS = 1500;
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock']);
/** What in a row can take the focus; only the current row's are in the Tab order (roving tabindex). */
const FOCUSABLE = 'a[href], button, input';
const ROW_FOCUSABLE = FOCUSABLE.split(', ').map((f) => `[data-browse-list] [data-name] ${f}`).join(', ');

interface Binding {
  id: ShortcutId;
  chords: Chord[];
}
const BINDINGS: Binding[] = SHORTCUTS.flatMap((s) => s.keys.map((k) => ({ id: s.id, chords: chordsOf(k) })));

function matches(chord: Chord | undefined, e: KeyboardEvent): boolean {
  if (!chord || (e.ctrlKey || e.metaKey) !== chord.mod || e.altKey !== chord.alt) return false;
  // Shift is part of the character for "?" (and makes "u" a "U"); it is checked only where a chord names it.
  if (chord.shift && !e.shiftKey) return false;
  // Ctrl+Shift+A reports "A": with a modifier, a letter is the key cap.
  const key = chord.mod && e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return key === chord.key;
}

/** The listing's rows (list view) or tiles (grid view), the current one, and the roving tab stop. */
class Listing {
  private current: HTMLElement | undefined;

  constructor(readonly area: HTMLElement) {
    area.addEventListener('focusin', (e) => {
      const row = this.rowOf(e.target);
      if (row) this.makeCurrent(row);
    });
    // The operations UI swaps in a fresh listing after a change (and live updates add rows): new rows start
    // out of the Tab order, and the current row is found again by name.
    new MutationObserver((records) => {
      const added = records.some((r) => Array.from(r.addedNodes).some((n) => n instanceof Element && (n.matches('[data-name]') || n.querySelector('[data-name]') !== null)));
      if (added) this.rove();
    }).observe(area, { childList: true, subtree: true });
    this.rove();
  }

  rows(): HTMLElement[] {
    return Array.from(this.area.querySelectorAll<HTMLElement>('[data-browse-list] [data-name]'));
  }

  isGrid(): boolean {
    return this.area.querySelector('ul[data-browse-list]') !== null;
  }

  rowOf(target: EventTarget | null): HTMLElement | undefined {
    const row = target instanceof Element ? target.closest<HTMLElement>('[data-name]') : null;
    return row && this.area.contains(row) ? row : undefined;
  }

  /** The row that has the focus, or (focus on the page itself) the current one. */
  focusedRow(): HTMLElement | undefined {
    const active = document.activeElement;
    if (!active || active === document.body) return this.current?.isConnected ? this.current : undefined;
    return this.rowOf(active);
  }

  private setTabStops(row: HTMLElement, on: boolean): void {
    for (const el of row.querySelectorAll<HTMLElement>(FOCUSABLE)) el.tabIndex = on ? 0 : -1;
  }

  private makeCurrent(row: HTMLElement): void {
    if (row === this.current) return;
    if (this.current?.isConnected) this.setTabStops(this.current, false);
    this.current = row;
    this.setTabStops(row, true);
  }

  /** One Tab stop for the whole listing: the current row's controls (the first row's at first). */
  private rove(): void {
    const rows = this.rows();
    const name = this.current?.dataset.name;
    const keep = this.current?.isConnected ? this.current : rows.find((r) => r.dataset.name === name);
    this.current = keep ?? rows[0];
    // One query for the whole listing, not one per row: a folder page may hold 100,000 rows.
    for (const el of this.area.querySelectorAll<HTMLElement>(ROW_FOCUSABLE)) el.tabIndex = -1;
    if (this.current) this.setTabStops(this.current, true);
  }

  focus(row: HTMLElement): void {
    this.makeCurrent(row);
    row.querySelector<HTMLElement>('a:not(.pc-action)')?.focus();
  }

  /** Tiles in one line of the grid view (its CSS grid changes the count with the window's width). */
  private columns(): number {
    const tiles = this.area.querySelector('ul[data-browse-list]')?.children;
    const top = tiles?.[0]?.getBoundingClientRect().top ?? 0;
    let n = 1;
    while (tiles && n < tiles.length && Math.abs((tiles[n]?.getBoundingClientRect().top ?? NaN) - top) < 1) n++;
    return n;
  }

  /**
   * Steps to a neighbouring row or tile. By siblings, not by index in a list of all rows: on a 10,000-row page
   * the arrow keys cost what the browser's own focus change costs, and nothing per row.
   */
  move(key: string): boolean {
    const from = this.rowOf(document.activeElement);
    if (!from) {
      // The focus is not in the listing yet: the first arrow brings it to the current row (the first, at first).
      const start = this.current?.isConnected ? this.current : this.area.querySelector<HTMLElement>('[data-browse-list] [data-name]');
      if (!start) return false;
      this.focus(start);
      return true;
    }
    const grid = this.isGrid();
    const vertical = key === 'ArrowUp' || key === 'ArrowDown';
    if (!grid && !vertical) return false;
    const forward = key === 'ArrowDown' || key === 'ArrowRight';
    let to: Element | null = from;
    for (let i = grid && vertical ? this.columns() : 1; i > 0 && to; i--) to = forward ? to.nextElementSibling : to.previousElementSibling;
    if (to instanceof HTMLElement && to.matches('[data-name]')) this.focus(to);
    // At an edge the focus stays, and the page does not scroll under it either.
    return true;
  }

  selectedItems(): Item[] {
    return this.rows()
      .filter((r) => r.querySelector<HTMLInputElement>('input.pc-select-item')?.checked)
      .map(itemOf);
  }
}

function clickShortcut(name: string): boolean {
  const control = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);
  if (!control || (control instanceof HTMLButtonElement && control.disabled)) return false;
  control.click();
  return true;
}

/** Delete and F2 act on the selection; with nothing selected, on the row that has the focus (selected first). */
function actOnSelection(listing: Listing, name: 'delete' | 'rename'): boolean {
  const button = document.querySelector<HTMLButtonElement>(`[data-shortcut="${name}"]`);
  if (!button) return false;
  if (button.disabled && listing.selectedItems().length === 0) listing.focusedRow()?.querySelector<HTMLInputElement>('input.pc-select-item')?.click();
  return clickShortcut(name);
}

function showHelp(): boolean {
  const dialog = document.querySelector<HTMLElement>('[data-shortcuts-dialog]');
  const bs = window.bootstrap;
  if (!dialog || !bs) return false;
  bs.Modal.getOrCreateInstance(dialog).show();
  return true;
}

/** Runs a shortcut; true when it did something (the key's default action is then prevented). */
function run(listing: Listing, id: ShortcutId, e: KeyboardEvent): boolean {
  const target = e.target instanceof Element ? e.target : null;
  const onControl = target?.closest('a[href], button, input, summary') ?? null;
  switch (id) {
    case 'move':
      // Arrows belong to the listing (and to the page when the focus is nowhere); elsewhere, say on the toolbar,
      // they keep their own meaning.
      if (target && target !== document.body && !listing.rowOf(target)) return false;
      return listing.move(e.key);
    case 'open': {
      // A link or button opens itself; Enter on a row's checkbox or tile opens the row's item.
      if (onControl && !(onControl instanceof HTMLInputElement)) return false;
      const row = listing.rowOf(target) ?? (target === document.body ? listing.focusedRow() : undefined);
      const link = row?.querySelector<HTMLElement>('a:not(.pc-action)');
      if (!link) return false;
      link.click();
      return true;
    }
    case 'toggle': {
      // Space on a checkbox or button is theirs; on a row's link it ticks the row.
      const row = listing.rowOf(target);
      if (!row || (onControl && onControl.tagName !== 'A')) return false;
      row.querySelector<HTMLInputElement>('input.pc-select-item')?.click();
      return true;
    }
    case 'up':
      return clickShortcut('up');
    case 'select-all':
      return listing.rows().length > 0 && clickShortcut('select-all');
    case 'clear':
      if (!clickShortcut('clear')) return false;
      announce(msg('ops.selectionCleared'));
      return true;
    case 'delete':
    case 'rename':
      return actOnSelection(listing, id);
    case 'search': {
      const box = document.getElementById('pc-search');
      if (!(box instanceof HTMLInputElement)) return false;
      box.focus();
      box.select();
      return true;
    }
    case 'upload':
      return clickShortcut('upload');
    case 'new-folder':
      return clickShortcut('new-folder');
    case 'home':
      location.assign('/browse/home/');
      return true;
    case 'help':
      return showHelp();
  }
}

/** Something else has the keyboard: an open dialog (Bootstrap handles its Escape) or a row menu. */
function elsewhere(): boolean {
  return document.querySelector('.modal.show, .pc-row-menu.show') !== null || document.activeElement?.closest('[role="menu"], [role="dialog"]') != null;
}

export function enableKeyboard(): void {
  const area = document.getElementById('pc-listing');
  if (!area || !document.querySelector('[data-ops]')) return;
  const listing = new Listing(area);
  // Every change of the selection (a click, Space, Ctrl+A) is read out with its size.
  area.addEventListener('click', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.classList.contains('pc-select-item')) announce(`${describeSelection(listing.selectedItems(), ', ')}.`);
  });

  let pending: { bindings: Binding[]; at: number } | undefined;
  const resolve = (e: KeyboardEvent): ShortcutId | undefined => {
    const before = pending;
    pending = undefined;
    if (before && e.timeStamp - before.at < SEQUENCE_MS) {
      const done = before.bindings.find((b) => matches(b.chords[1], e));
      if (done) return done.id;
    }
    const single = BINDINGS.find((b) => b.chords.length === 1 && matches(b.chords[0], e));
    if (single) return single.id;
    const starts = BINDINGS.filter((b) => b.chords.length === 2 && matches(b.chords[0], e));
    if (starts.length > 0) pending = { bindings: starts, at: e.timeStamp };
    return undefined;
  };

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing || MODIFIERS.has(e.key)) return;
    if (isTyping(e.target) || elsewhere()) {
      pending = undefined;
      return;
    }
    const id = resolve(e);
    if (id && run(listing, id, e)) e.preventDefault();
  });
}
