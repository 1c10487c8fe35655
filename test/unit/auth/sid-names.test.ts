// SID → account name for file owners: the binary filter, the shared cache, and that a failure is nobody else's.
import { describe, expect, it } from 'vitest';
import { BerWriter, type Filter } from 'ldapts';
import { sidFilter, SidNames } from '../../../src/auth/sid-names.js';
import { sidToBytes, sidToString } from '../../../src/auth/token-groups.js';

const ALICE = 'S-1-5-21-1004336348-1177238915-682003330-1104';
const SETTINGS = { maxEntries: 100, ttlMs: 60_000 };

describe('sidToBytes', () => {
  it('is the inverse of sidToString', () => {
    for (const sid of [ALICE, 'S-1-5-32-544', 'S-1-1-0', 'S-1-5-18', 'S-1-5-4294967295']) expect(sidToString(sidToBytes(sid) ?? Buffer.alloc(0))).toBe(sid);
  });

  it('lays the bytes out as [MS-DTYP] 2.4.2 says', () => {
    expect(sidToBytes('S-1-5-32-544')?.toString('hex')).toBe('01020000000000052000000020020000');
  });

  it('refuses text that is not a SID', () => {
    for (const bad of ['', 'S-1', 'S-2-5-21', 'S-1-5-4294967296', 'S-1-5-21-1)(objectClass=*', `S-1-5${'-1'.repeat(16)}`, 'alice']) expect(sidToBytes(bad)).toBeUndefined();
  });
});

describe('the objectSid filter', () => {
  it('sends the SID as its bytes, whatever they are (bytes ≥ 0x80, NUL, "(" and "*" included)', () => {
    // ALICE's sub-authorities hold bytes ≥ 0x80 (0xdc, 0x83 …), which a text filter would send as UTF-8 pairs.
    const bytes = sidToBytes(ALICE) ?? Buffer.alloc(0);
    expect(bytes.some((b) => b >= 0x80)).toBe(true);
    const filter = sidFilter(ALICE);
    const writer = new BerWriter();
    filter?.write(writer);
    const wire = writer.buffer;
    expect(wire.includes(Buffer.concat([Buffer.from([0x04, bytes.length]), bytes]))).toBe(true);
    expect(sidFilter('S-1-5-32-544')?.toString()).toBe('(objectSid=\\01\\02\\00\\00\\00\\00\\00\\05\\20\\00\\00\\00\\20\\02\\00\\00)');
    expect(sidFilter('*')).toBeUndefined();
  });
});

describe('SidNames', () => {
  it('asks the directory once per SID and serves the rest from the cache', async () => {
    const filters: Filter[] = [];
    const names = new SidNames(async (filter) => {
      filters.push(filter);
      return ['alice'];
    }, SETTINGS);
    expect(await Promise.all([names.nameOf(ALICE), names.nameOf(ALICE)])).toEqual(['alice', 'alice']);
    expect(await names.nameOf(ALICE)).toBe('alice');
    expect(filters.map(String)).toEqual([String(sidFilter(ALICE))]);
  });

  it('caches "no such account" as null, and names well-known SIDs without asking', async () => {
    let asked = 0;
    const names = new SidNames(async () => {
      asked++;
      return [];
    }, SETTINGS);
    expect(await names.nameOf(ALICE)).toBeNull();
    expect(await names.nameOf(ALICE)).toBeNull();
    expect(await names.nameOf('S-1-1-0')).toBe('Everyone');
    expect(await names.nameOf('not a sid')).toBeNull();
    expect(asked).toBe(1);
  });

  it('answers null for a failed lookup without caching it: the next caller gets the real name', async () => {
    let fail = true;
    const errors: string[] = [];
    const names = new SidNames(
      async () => {
        if (fail) throw new Error('LDAP down');
        return ['alice'];
      },
      SETTINGS,
      { onError: (sid) => errors.push(sid) },
    );
    expect(await names.nameOf(ALICE)).toBeNull();
    fail = false;
    expect(await names.nameOf(ALICE)).toBe('alice');
    expect(errors).toEqual([ALICE]);
  });

  it('shows no name when several accounts claim one SID', async () => {
    const names = new SidNames(async () => ['alice', 'mallory'], SETTINGS);
    expect(await names.nameOf(ALICE)).toBeNull();
  });
});
