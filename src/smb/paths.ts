import { NtStatus } from './messages/ntstatus.js';
import { SmbInvalidNameError } from './errors.js';

/**
 * Splits a caller's path on `/` and `\` into segments. Empty segments vanish (so "a//b" and "/a" work);
 * "." and ".." are refused rather than resolved, because a web layer must never be able to step out
 * of a directory by accident. Everything else, leading dots and any Unicode included, is kept verbatim.
 */
export function splitPath(path: string): string[] {
  const segments = path.split(/[\\/]/).filter((s) => s.length > 0);
  for (const s of segments) {
    if (s === '.' || s === '..') throw new SmbInvalidNameError(NtStatus.OBJECT_NAME_INVALID, `path segment "${s}" is not allowed: ${path}`);
  }
  return segments;
}

/** The SMB form of a share-relative path: backslash-separated, no leading separator; "" is the share root. */
export function toSmbPath(path: string): string {
  return splitPath(path).join('\\');
}

export function joinSmbPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}\\${name}`;
}

export function baseName(smbPath: string): string {
  const i = smbPath.lastIndexOf('\\');
  return i < 0 ? smbPath : smbPath.slice(i + 1);
}

export function parentOf(smbPath: string): string {
  const i = smbPath.lastIndexOf('\\');
  return i < 0 ? '' : smbPath.slice(0, i);
}
