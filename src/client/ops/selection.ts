// Multi-select over the folder's rows: a checkbox per row, shift-click ranges, select all, clear, and the
// toolbar's count, total size and enabled actions.
import { bytes as formatBytes, msg } from '../i18n.js';

export interface Item {
  name: string;
  isDir: boolean;
  /** Bytes of a file (0 for a folder: its size needs measuring). */
  bytes: number;
  row: HTMLElement;
}

export function itemOf(row: HTMLElement): Item {
  return { name: row.dataset.name ?? '', isDir: row.dataset.kind === 'dir', bytes: Number(row.dataset.bytes || 0), row };
}

/** "3 items selected · 1.2 MB" (the toolbar), "3 items selected, 1.2 MB" (read out: `sep` ", "). */
export function describeSelection(items: Item[], sep: string): string {
  if (items.length === 0) return msg('ops.nothingSelected');
  const folders = items.filter((i) => i.isDir).length;
  const bytes = items.reduce((sum, i) => sum + i.bytes, 0);
  const size = folders === items.length ? '' : `${sep}${formatBytes(bytes)}${folders ? msg('ops.plusFolders') : ''}`;
  return `${msg('ops.selected', { count: items.length })}${size}`;
}

export class Selection {
  private anchor: HTMLElement | undefined;
  private selecting = false;

  constructor(
    private readonly area: HTMLElement,
    private readonly bar: HTMLElement,
  ) {
    area.addEventListener('click', (e) => {
      const box = e.target;
      if (!(box instanceof HTMLInputElement) || !box.classList.contains('pc-select-item')) return;
      const row = box.closest<HTMLElement>('[data-name]');
      if (!row) return;
      if (e.shiftKey && this.anchor && this.anchor !== row && this.area.contains(this.anchor)) {
        const rows = this.rows();
        const [a, b] = [rows.indexOf(this.anchor), rows.indexOf(row)].sort((x, y) => x - y);
        const on = box.checked;
        for (const r of rows.slice(a, (b ?? a) + 1)) this.mark(r, on);
      } else {
        this.mark(row, box.checked);
      }
      this.anchor = row;
      this.changed();
    });
    // Selection mode (the phone bar's "Select"): a tap anywhere on a row ticks or unticks it instead of opening it.
    // In the capture phase, before the preview and the link see the click; the checkbox, the "⋯" menu and the
    // download button keep their own meaning.
    area.addEventListener(
      'click',
      (e) => {
        if (!this.selecting || !(e.target instanceof Element) || e.target.closest('input, .pc-more, .pc-action')) return;
        const row = e.target.closest<HTMLElement>('[data-name]');
        const box = row ? this.boxOf(row) : null;
        if (!box) return;
        e.preventDefault();
        e.stopPropagation();
        box.click();
      },
      true,
    );
    // A checkbox the browser restored from the back/forward cache or form memory.
    for (const r of this.rows()) if (this.boxOf(r)?.checked) this.mark(r, true);
    this.changed();
  }

  rows(): HTMLElement[] {
    return Array.from(this.area.querySelectorAll<HTMLElement>('[data-name]'));
  }

  private boxOf(row: HTMLElement): HTMLInputElement | null {
    return row.querySelector<HTMLInputElement>('input.pc-select-item');
  }

  private mark(row: HTMLElement, on: boolean): void {
    const box = this.boxOf(row);
    if (box) box.checked = on;
    row.classList.toggle('pc-selected', on);
    // The listing is an ARIA grid (views/pages/browse.ejs): screen readers say "selected" from this.
    row.setAttribute('aria-selected', String(on));
    if (row.tagName === 'TR') row.classList.toggle('table-active', on);
  }

  items(): Item[] {
    return this.rows()
      .filter((r) => this.boxOf(r)?.checked)
      .map(itemOf);
  }

  has(row: HTMLElement): boolean {
    return this.boxOf(row)?.checked === true;
  }

  selectAll(): void {
    for (const r of this.rows()) this.mark(r, true);
    this.changed();
  }

  clear(): void {
    for (const r of this.rows()) this.mark(r, false);
    this.anchor = undefined;
    this.changed();
  }

  get selectMode(): boolean {
    return this.selecting;
  }

  /** Turns selection mode on or off; turning it off clears the selection, as phone file managers do. */
  setSelectMode(on: boolean): void {
    this.selecting = on;
    this.area.classList.toggle('pc-selecting', on);
    for (const b of document.querySelectorAll<HTMLButtonElement>('[data-op="select-mode"]')) b.setAttribute('aria-pressed', String(on));
    if (!on) this.clear();
  }

  /** Just this row (a row menu opened on a row outside the selection). */
  only(row: HTMLElement): void {
    for (const r of this.rows()) this.mark(r, r === row);
    this.anchor = row;
    this.changed();
  }

  /** After the listing was replaced: the rows are new; those still there by these names stay selected. */
  reset(keep: Set<string> = new Set()): void {
    this.anchor = undefined;
    for (const r of this.rows()) this.mark(r, keep.has(r.dataset.name ?? ''));
    this.changed();
  }

  changed(): void {
    const items = this.items();
    const info = this.bar.querySelector<HTMLElement>('[data-sel-info]');
    if (info) info.textContent = describeSelection(items, ' · ');
    for (const b of this.bar.querySelectorAll<HTMLButtonElement>('[data-needs]')) {
      b.disabled = b.dataset.needs === 'one' ? items.length !== 1 : items.length === 0;
    }
  }
}
