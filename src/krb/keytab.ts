import { type Key, isSupportedEtype } from './crypto/etypes.js';
import { KrbError } from './errors.js';
import type { PrincipalName } from './messages.js';

/**
 * The MIT keytab file (what `samba-tool domain exportkeytab` and `ktutil` write): 0x05 0x02, then entries of
 *   int32 size (negative: a deleted slot of that size), uint16 component count, counted realm, counted components,
 *   uint32 name type, uint32 timestamp, uint8 kvno, uint16 enctype, counted key, and (when room is left) uint32 kvno.
 * All big-endian (version 0x0502). Version 0x0501 (host byte order, no name type) is long obsolete and refused.
 */

export interface KeytabEntry {
  principal: PrincipalName;
  realm: string;
  timestamp: Date;
  kvno: number;
  key: Key;
}

/** The keytab cannot be read, or holds no usable key for the principal. */
export class KeytabError extends KrbError {
  override name = 'KeytabError';
}

export function parseKeytab(buf: Buffer): KeytabEntry[] {
  if (buf.length < 2 || buf[0] !== 0x05) throw new KeytabError('not a keytab file (it does not start with 0x05)');
  if (buf[1] !== 0x02) throw new KeytabError(`keytab version 0x05${buf[1]!.toString(16).padStart(2, '0')} is not supported (only 0x0502)`);
  const entries: KeytabEntry[] = [];
  let at = 2;
  const need = (n: number, end: number): void => {
    if (at + n > end) throw new KeytabError('keytab entry is truncated');
  };
  while (at + 4 <= buf.length) {
    const size = buf.readInt32BE(at);
    at += 4;
    if (size === 0) break;
    if (size < 0) {
      at += -size; // a hole left by a removed entry
      continue;
    }
    const end = at + size;
    if (end > buf.length) throw new KeytabError('keytab entry runs past the end of the file');
    need(2, end);
    const count = buf.readUInt16BE(at);
    at += 2;
    const counted = (): string => {
      need(2, end);
      const len = buf.readUInt16BE(at);
      at += 2;
      need(len, end);
      const s = buf.toString('utf8', at, at + len);
      at += len;
      return s;
    };
    const realm = counted();
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(counted());
    need(4 + 4 + 1 + 2 + 2, end);
    const nameType = buf.readUInt32BE(at);
    const timestamp = new Date(buf.readUInt32BE(at + 4) * 1000);
    let kvno = buf[at + 8]!;
    const etype = buf.readUInt16BE(at + 9);
    const keyLen = buf.readUInt16BE(at + 11);
    at += 13;
    need(keyLen, end);
    const value = Buffer.from(buf.subarray(at, at + keyLen));
    at += keyLen;
    // The 32-bit kvno, present in files written since krb5 1.14 / Samba, overrides the 8-bit one (unless 0).
    if (end - at >= 4) {
      const kvno32 = buf.readUInt32BE(at);
      if (kvno32 !== 0) kvno = kvno32;
    }
    at = end;
    entries.push({ principal: { type: nameType, parts }, realm, timestamp, kvno, key: { etype, value } });
  }
  return entries;
}

/**
 * The keys of `principal` ("svc-portcullis", "svc-portcullis@REALM" or "HTTP/host@REALM") that we can use (AES),
 * newest kvno first. Names compare case-insensitively, as AD does.
 */
export function keysFor(entries: readonly KeytabEntry[], principal: string, defaultRealm: string): KeytabEntry[] {
  const at = principal.lastIndexOf('@');
  const name = (at >= 0 ? principal.slice(0, at) : principal).toLowerCase();
  const realm = (at >= 0 ? principal.slice(at + 1) : defaultRealm).toUpperCase();
  return entries
    .filter((e) => e.realm.toUpperCase() === realm && e.principal.parts.join('/').toLowerCase() === name && isSupportedEtype(e.key.etype))
    .sort((a, b) => b.kvno - a.kvno);
}
