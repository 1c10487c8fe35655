// Pure listing logic: which entries show, in which order, and the view model the templates render.
import { formatBytes } from '../../format/bytes.js';
import { driveIdPath, type DriveRef } from '../../drives/index.js';
import type { FileEntry as DirEntry } from '../../files/index.js';
import { extensionOf, fileTypeOf, type PreviewKind } from './file-types.js';
import { DEFAULT_LANGUAGE, type Language, translatorFor } from '../../i18n/index.js';

export type ViewMode = 'list' | 'grid';
export type SortKey = 'name' | 'size' | 'modified' | 'type';
export type SortOrder = 'asc' | 'desc';

export interface BrowsePrefs {
  view: ViewMode;
  sort: SortKey;
  order: SortOrder;
  hidden: boolean;
}

export const DEFAULT_PREFS: BrowsePrefs = { view: 'list', sort: 'name', order: 'asc', hidden: false };
const VIEWS: readonly ViewMode[] = ['list', 'grid'];
const SORTS: readonly SortKey[] = ['name', 'size', 'modified', 'type'];
const ORDERS: readonly SortOrder[] = ['asc', 'desc'];

const pick = <T extends string>(allowed: readonly T[], value: unknown): T | undefined =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;

/**
 * Query parameters win over the user's stored settings, which win over the defaults. Unknown values are ignored
 * (a stale link still opens the folder). `fromQuery` says whether the URL chose anything: the browse route then
 * saves the choice as the user's setting (the toolbar's view, sort and hidden controls are such URLs).
 */
export function resolvePrefs(query: Record<string, unknown>, remembered: Partial<BrowsePrefs>): { prefs: BrowsePrefs; fromQuery: boolean } {
  const q: Partial<BrowsePrefs> = {};
  const v = pick(VIEWS, query.view);
  const s = pick(SORTS, query.sort);
  const o = pick(ORDERS, query.order);
  if (v) q.view = v;
  if (s) q.sort = s;
  if (o) q.order = o;
  if (query.hidden === '1' || query.hidden === '0') q.hidden = query.hidden === '1';
  // Choosing a sort key without an order starts from its natural direction (newest or largest first).
  if (s && !o) q.order = s === 'size' || s === 'modified' ? 'desc' : 'asc';
  return { prefs: { ...DEFAULT_PREFS, ...remembered, ...q }, fromQuery: Object.keys(q).length > 0 };
}

export function prefsQuery(p: BrowsePrefs, change: Partial<BrowsePrefs> = {}): string {
  const n = { ...p, ...change };
  return `?view=${n.view}&sort=${n.sort}&order=${n.order}&hidden=${n.hidden ? 1 : 0}`;
}

const HIDDEN_NAMES = new Set(['desktop.ini', 'thumbs.db', '$recycle.bin']);

/** Hidden from the listing unless the user asks: dot files, Office owner files, Windows' own clutter, SMB hidden. */
export function isHiddenEntry(e: Pick<DirEntry, 'name' | 'hidden'>): boolean {
  return e.hidden || e.name.startsWith('.') || e.name.startsWith('~$') || HIDDEN_NAMES.has(e.name.toLowerCase());
}

/** Natural (file-2 before file-10), case- and accent-insensitive. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function byName(a: DirEntry, b: DirEntry): number {
  // Names equal to the collator (e.g. "a" and "A") still get a stable, deterministic order.
  return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function keyCompare(sort: SortKey, a: DirEntry, b: DirEntry): number {
  switch (sort) {
    case 'size': {
      const d = Number(a.size) - Number(b.size);
      return d === 0 ? 0 : d < 0 ? -1 : 1;
    }
    case 'modified':
      return a.mtime.getTime() - b.mtime.getTime();
    case 'type':
      return a.type === 'dir' && b.type === 'dir' ? 0 : collator.compare(extensionOf(a.name), extensionOf(b.name));
    default:
      return 0;
  }
}

export function entryComparator(sort: SortKey, order: SortOrder): (a: DirEntry, b: DirEntry) => number {
  const sign = order === 'desc' ? -1 : 1;
  return (a, b) => {
    if (a.type !== b.type) return a.type === 'dir' ? -1 : 1;
    return sign * (keyCompare(sort, a, b) || byName(a, b));
  };
}

/** Folders first (in either order), then by the key, ties by name; `desc` reverses everything but the folders-first rule. */
export function sortEntries(entries: DirEntry[], sort: SortKey, order: SortOrder): DirEntry[] {
  return entries.sort(entryComparator(sort, order));
}

const RUN = 1000;

/**
 * The same order as sortEntries, for big folders without holding the event loop: runs of 1,000 are sorted,
 * then merged pairwise, yielding between steps (a natural-order collator compare costs about a microsecond,
 * so sorting 10,000 names in one go would block every other request for ~100 ms).
 */
export async function sortEntriesYielding(entries: DirEntry[], sort: SortKey, order: SortOrder, yieldNow: () => Promise<unknown>): Promise<DirEntry[]> {
  const cmp = entryComparator(sort, order);
  if (entries.length <= RUN * 2) return entries.sort(cmp);
  let runs: DirEntry[][] = [];
  for (let i = 0; i < entries.length; i += RUN) {
    runs.push(entries.slice(i, i + RUN).sort(cmp));
    await yieldNow();
  }
  while (runs.length > 1) {
    const next: DirEntry[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const a = runs[i] ?? [];
      const b = runs[i + 1];
      if (!b) {
        next.push(a);
        continue;
      }
      const out: DirEntry[] = new Array<DirEntry>(a.length + b.length);
      let x = 0;
      let y = 0;
      let k = 0;
      // Stable: on a tie the left run (earlier entries) goes first, as Array.prototype.sort would.
      while (x < a.length && y < b.length) out[k++] = cmp(b[y] as DirEntry, a[x] as DirEntry) < 0 ? (b[y++] as DirEntry) : (a[x++] as DirEntry);
      while (x < a.length) out[k++] = a[x++] as DirEntry;
      while (y < b.length) out[k++] = b[y++] as DirEntry;
      next.push(out);
      await yieldNow();
    }
    runs = next;
  }
  const sorted = runs[0] ?? [];
  for (let i = 0; i < sorted.length; i++) entries[i] = sorted[i] as DirEntry;
  return entries;
}

export interface EntryView {
  name: string;
  isDir: boolean;
  hidden: boolean;
  /** The entry's own page: a folder (trailing slash) or a file's preview page. */
  href: string;
  icon: string;
  typeLabel: string;
  kind: PreviewKind | 'dir';
  size: string;
  bytes: string;
  modifiedIso: string;
  /** Shown until the browser formats it in the user's locale and zone (and without JavaScript). */
  modifiedUtc: string;
  downloadHref: string;
  viewHref: string;
  textHref: string;
  thumbHref: string;
}

/** Percent-encodes each segment, as folderHref does, so B's routes decode them exactly once. */
export function encodeSegments(segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

export function driveUrl(prefix: string, drive: DriveRef, segments: string[], trailingSlash = false): string {
  const path = encodeSegments(segments);
  return `/${prefix}/${driveIdPath(drive.id)}/${path}${trailingSlash && path ? '/' : ''}`;
}

export function folderHref(drive: DriveRef, segments: string[]): string {
  return `/browse/${driveIdPath(drive.id)}/${segments.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
}

export function fileHref(drive: DriveRef, segments: string[]): string {
  return driveUrl('browse', drive, segments);
}

export function utcText(d: Date): string {
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Makes the view of each entry of one folder. The folder's encoded URL prefixes are computed once, since a big
 * folder calls this 10,000 times.
 */
export function entryViewer(drive: DriveRef, folder: string[], lang: Language = DEFAULT_LANGUAGE): (e: DirEntry) => EntryView {
  const { t: tr } = translatorFor(lang);
  const folderLabel = tr('browse.folder');
  const id = driveIdPath(drive.id);
  const inside = folder.map((s) => `${encodeURIComponent(s)}/`).join('');
  const url = (prefix: string, encodedName: string): string => `/${prefix}/${id}/${inside}${encodedName}`;
  return (e) => {
    const isDir = e.type === 'dir';
    const n = encodeURIComponent(e.name);
    const t = isDir ? undefined : fileTypeOf(e.name);
    const valid = !Number.isNaN(e.mtime.getTime());
    return {
      name: e.name,
      isDir,
      hidden: isHiddenEntry(e),
      href: isDir ? url('browse', `${n}/`) : url('browse', n),
      icon: t ? t.icon : 'bi-folder-fill',
      typeLabel: t ? tr(t.labelKey, { ext: t.ext.toUpperCase() }) : folderLabel,
      kind: t ? t.kind : 'dir',
      size: isDir ? '' : formatBytes(Number(e.size), lang),
      bytes: isDir ? '' : String(e.size),
      modifiedIso: valid ? e.mtime.toISOString() : '',
      modifiedUtc: utcText(e.mtime),
      downloadHref: isDir ? url('zip', `${n}/`) : url('download', n),
      viewHref: isDir ? '' : url('view', n),
      textHref: t?.kind === 'text' ? url('preview-text', n) : '',
      thumbHref: t?.thumbnail ? url('thumb', n) : '',
    };
  };
}

export function toEntryView(drive: DriveRef, folder: string[], e: DirEntry): EntryView {
  return entryViewer(drive, folder)(e);
}

export interface Listing {
  /** The entries to show, filtered and sorted; make their views with entryViewer (in chunks, for big folders). */
  entries: DirEntry[];
  /** Entries that count as hidden (left out unless the user shows them). */
  hiddenCount: number;
  total: number;
}

export async function buildListing(entries: DirEntry[], prefs: BrowsePrefs, yieldNow: () => Promise<unknown> = async () => undefined): Promise<Listing> {
  const real = entries.filter((e) => e.name !== '.' && e.name !== '..');
  const shown = prefs.hidden ? real : real.filter((e) => !isHiddenEntry(e));
  const hiddenCount = prefs.hidden ? real.filter(isHiddenEntry).length : real.length - shown.length;
  await sortEntriesYielding(shown, prefs.sort, prefs.order, yieldNow);
  return { entries: shown, hiddenCount, total: real.length };
}

export interface Crumb {
  name: string;
  href: string;
}

export function breadcrumbs(drive: DriveRef, segments: string[]): Crumb[] {
  return [{ name: drive.name, href: folderHref(drive, []) }, ...segments.map((name, i) => ({ name, href: folderHref(drive, segments.slice(0, i + 1)) }))];
}
