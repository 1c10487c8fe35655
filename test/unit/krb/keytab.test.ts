import { describe, expect, it } from 'vitest';
import { KeytabError, keysFor, parseKeytab } from '../../../src/krb/index.js';
import { keytabBytes } from './keytab-bytes.js';

describe('MIT keytab (0x0502)', () => {
  const k18 = Buffer.alloc(32, 1);
  const k17 = Buffer.alloc(16, 2);
  const file = keytabBytes(
    [
      { realm: 'EXAMPLE.TEST', parts: ['svc-portcullis'], kvno: 1, etype: 18, key: Buffer.alloc(32, 9) },
      { realm: 'EXAMPLE.TEST', parts: ['svc-portcullis'], kvno: 300, kvno32: true, etype: 18, key: k18 },
      { realm: 'EXAMPLE.TEST', parts: ['svc-portcullis'], kvno: 2, etype: 17, key: k17 },
      { realm: 'EXAMPLE.TEST', parts: ['svc-portcullis'], kvno: 2, etype: 23, key: Buffer.alloc(16, 3) },
      { realm: 'EXAMPLE.TEST', parts: ['HTTP', 'portcullis.example.test'], nameType: 2, kvno: 2, etype: 18, key: k18 },
    ],
    [12],
  );

  it('reads every entry, skipping holes; the 32-bit kvno wins over the 8-bit one', () => {
    const entries = parseKeytab(file);
    expect(entries).toHaveLength(5);
    expect(entries[1]).toMatchObject({ realm: 'EXAMPLE.TEST', principal: { type: 1, parts: ['svc-portcullis'] }, kvno: 300 });
    expect(entries[4]!.principal).toEqual({ type: 2, parts: ['HTTP', 'portcullis.example.test'] });
    expect(entries[1]!.key.value.equals(k18)).toBe(true);
  });

  it('keysFor: the AES keys of one principal (case-insensitive, realm defaulted), newest kvno first, RC4 left out', () => {
    const entries = parseKeytab(file);
    const own = keysFor(entries, 'SVC-Portcullis', 'EXAMPLE.TEST');
    expect(own.map((e) => [e.key.etype, e.kvno])).toEqual([
      [18, 300],
      [17, 2],
      [18, 1],
    ]);
    expect(keysFor(entries, 'HTTP/portcullis.example.test@example.test', 'OTHER.REALM')).toHaveLength(1);
    expect(keysFor(entries, 'svc-portcullis', 'OTHER.REALM')).toEqual([]);
  });

  it('refuses what is not a keytab, an old version, and a truncated entry', () => {
    expect(() => parseKeytab(Buffer.from('hello'))).toThrow(KeytabError);
    expect(() => parseKeytab(Buffer.of(0x05, 0x01, 0, 0, 0, 0))).toThrow(/0x0501 is not supported/);
    expect(() => parseKeytab(file.subarray(0, file.length - 5))).toThrow(/truncated|past the end/);
  });
});
