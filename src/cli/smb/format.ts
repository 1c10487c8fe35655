import type { DirEntry } from '../../smb/index.js';

export interface JsonEntry {
  name: string;
  type: 'file' | 'dir';
  size: number;
  mtime: string;
}

export function toJsonEntry(e: DirEntry): JsonEntry {
  return { name: e.name, type: e.type, size: Number(e.size), mtime: e.mtime.toISOString() };
}

export function toJsonStat(e: DirEntry): JsonEntry & { ctime: string; atime: string; birthtime: string; hidden: boolean; readonly: boolean; attributes: number } {
  return {
    ...toJsonEntry(e),
    ctime: e.ctime.toISOString(),
    atime: e.atime.toISOString(),
    birthtime: e.birthtime.toISOString(),
    hidden: e.hidden,
    readonly: e.readonly,
    attributes: e.attributes,
  };
}

/** Folders first, then by name in code-point order, so the output is the same on every machine. */
export function sortEntries(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'dir' ? -1 : 1));
}

/** Control characters would break the columns (or the terminal): show them escaped. JSON keeps names exact. */
export function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** "2026-03-01 14:05" in local time, like ls -l's long format but sortable. */
export function shortTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Aligned columns: flags, size (right-aligned), modified time, name ("/" after folders). */
export function formatListing(entries: DirEntry[]): string {
  const sizes = entries.map((e) => (e.type === 'dir' ? '-' : String(e.size)));
  const width = Math.max(1, ...sizes.map((s) => s.length));
  const lines = entries.map((e, i) => {
    const flags = `${e.type === 'dir' ? 'd' : '-'}${e.readonly ? 'r' : '-'}${e.hidden ? 'h' : '-'}`;
    return `${flags}  ${(sizes[i] as string).padStart(width)}  ${shortTime(e.mtime)}  ${printableName(e.name)}${e.type === 'dir' ? '/' : ''}`;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function formatStat(e: DirEntry, where: string): string {
  const rows: [string, string][] = [
    ['path', printableName(where)],
    ['type', e.type === 'dir' ? 'folder' : 'file'],
    ['size', `${String(e.size)} bytes`],
    ['modified', e.mtime.toISOString()],
    ['changed', e.ctime.toISOString()],
    ['accessed', e.atime.toISOString()],
    ['created', e.birthtime.toISOString()],
    ['attributes', `0x${e.attributes.toString(16).padStart(8, '0')}${e.readonly ? ' readonly' : ''}${e.hidden ? ' hidden' : ''}`],
  ];
  return `${rows.map(([k, v]) => `${`${k}:`.padEnd(12)}${v}`).join('\n')}\n`;
}
