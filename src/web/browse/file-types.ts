import mime from 'mime-types';
import type { MessageKeyOf } from '../../i18n/index.js';

/** How a file can be previewed in the page. 'none' means: offer the download only. */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'video' | 'audio' | 'none';

export interface FileType {
  kind: PreviewKind;
  /** A bootstrap-icons class, e.g. 'bi-file-earmark-pdf'. */
  icon: string;
  /** Short human label for the type column and screen readers. */
  label: string;
  /** The label in the catalogue (src/i18n), with {ext} the upper-cased extension. */
  labelKey: Extract<MessageKeyOf, `fileTypes.${string}`>;
  /** sharp can make a thumbnail of it (B's /thumb/… route). */
  thumbnail: boolean;
  /** The lower-cased extension without the dot, '' if none. */
  ext: string;
}

// Raster images every current browser shows inline. SVG is not here on purpose: it can carry script,
// so it is never shown inline (B serves it as an attachment); its source is previewed as text instead.
const INLINE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-ms-bmp']);
const THUMBNAIL_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);
const VIDEO = new Set(['video/mp4', 'video/webm', 'video/ogg', 'video/x-m4v']);
const AUDIO = new Set(['audio/mpeg', 'audio/mp3', 'audio/ogg', 'audio/wav', 'audio/wave', 'audio/x-wav', 'audio/webm', 'audio/aac', 'audio/mp4', 'audio/x-m4a', 'audio/flac', 'audio/x-flac', 'audio/opus']);
const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/x-sh',
  'application/x-httpd-php',
  'application/sql',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/ld+json',
  'image/svg+xml',
]);
// Plain-text files mime-types does not know (or calls application/octet-stream).
const TEXT_EXTENSIONS = new Set(['txt', 'log', 'ini', 'cfg', 'conf', 'md', 'markdown', 'yml', 'yaml', 'toml', 'ts', 'tsx', 'py', 'rb', 'go', 'rs', 'java', 'c', 'h', 'cpp', 'cs', 'ps1', 'bat', 'cmd', 'properties', 'env', 'gitignore', 'tex', 'bib', 'r', 'm', 'sql', 'vtt', 'srt', 'tsv']);

const ARCHIVES = new Set(['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'iso']);
const WORD = new Set(['doc', 'docx', 'odt', 'rtf', 'pages']);
const EXCEL = new Set(['xls', 'xlsx', 'ods', 'numbers']);
const SLIDES = new Set(['ppt', 'pptx', 'odp', 'key']);
const CODE = new Set(['js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'py', 'rb', 'go', 'rs', 'java', 'c', 'h', 'cpp', 'cs', 'php', 'sh', 'ps1', 'bat', 'cmd', 'html', 'htm', 'css', 'scss', 'json', 'xml', 'yml', 'yaml', 'toml', 'sql', 'r', 'm', 'svg']);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

export function fileTypeOf(name: string): FileType {
  const ext = extensionOf(name);
  const type = (ext && mime.lookup(ext)) || '';
  const thumbnail = THUMBNAIL_IMAGES.has(type);
  if (INLINE_IMAGES.has(type)) return { kind: 'image', icon: 'bi-file-earmark-image', label: 'Image', labelKey: 'fileTypes.image', thumbnail, ext };
  if (type === 'application/pdf') return { kind: 'pdf', icon: 'bi-file-earmark-pdf', label: 'PDF document', labelKey: 'fileTypes.pdf', thumbnail, ext };
  if (VIDEO.has(type)) return { kind: 'video', icon: 'bi-file-earmark-play', label: 'Video', labelKey: 'fileTypes.video', thumbnail, ext };
  if (AUDIO.has(type)) return { kind: 'audio', icon: 'bi-file-earmark-music', label: 'Audio', labelKey: 'fileTypes.audio', thumbnail, ext };
  if (type.startsWith('image/')) return { kind: type === 'image/svg+xml' ? 'text' : 'none', icon: 'bi-file-earmark-image', label: 'Image', labelKey: 'fileTypes.image', thumbnail, ext };
  if (type.startsWith('video/')) return { kind: 'none', icon: 'bi-file-earmark-play', label: 'Video', labelKey: 'fileTypes.video', thumbnail, ext };
  if (type.startsWith('audio/')) return { kind: 'none', icon: 'bi-file-earmark-music', label: 'Audio', labelKey: 'fileTypes.audio', thumbnail, ext };
  if (ARCHIVES.has(ext)) return { kind: 'none', icon: 'bi-file-earmark-zip', label: 'Archive', labelKey: 'fileTypes.archive', thumbnail, ext };
  if (WORD.has(ext)) return { kind: 'none', icon: 'bi-file-earmark-word', label: 'Document', labelKey: 'fileTypes.document', thumbnail, ext };
  if (EXCEL.has(ext)) return { kind: 'none', icon: 'bi-file-earmark-excel', label: 'Spreadsheet', labelKey: 'fileTypes.spreadsheet', thumbnail, ext };
  if (SLIDES.has(ext)) return { kind: 'none', icon: 'bi-file-earmark-ppt', label: 'Presentation', labelKey: 'fileTypes.presentation', thumbnail, ext };
  const text = type.startsWith('text/') || TEXT_TYPES.has(type) || TEXT_EXTENSIONS.has(ext);
  if (ext === 'csv' || ext === 'tsv') return { kind: 'text', icon: 'bi-file-earmark-spreadsheet', label: 'Table (text)', labelKey: 'fileTypes.table', thumbnail, ext };
  if (CODE.has(ext)) return { kind: text ? 'text' : 'none', icon: 'bi-file-earmark-code', label: 'Code', labelKey: 'fileTypes.code', thumbnail, ext };
  if (ext === 'md' || ext === 'markdown') return { kind: 'text', icon: 'bi-markdown', label: 'Markdown', labelKey: 'fileTypes.markdown', thumbnail, ext };
  if (text) return { kind: 'text', icon: 'bi-file-earmark-text', label: 'Text', labelKey: 'fileTypes.text', thumbnail, ext };
  return { kind: 'none', icon: 'bi-file-earmark', label: ext ? `${ext.toUpperCase()} file` : 'File', labelKey: ext ? 'fileTypes.extFile' : 'fileTypes.file', thumbnail, ext };
}
