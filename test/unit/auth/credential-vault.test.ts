import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveNtowfv2, openCredential, sealCredential } from '../../../src/auth/credential-vault.js';
import { CredentialUnreadableError } from '../../../src/auth/errors.js';

const flip = (b64: string, index: number): string => {
  const bytes = Buffer.from(b64, 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
};

describe('credential vault', () => {
  const secret = randomBytes(16);

  it('opens what it sealed', () => {
    const { sealed, key } = sealCredential(secret, 'alice');
    expect(openCredential(sealed, key, 'alice')).toEqual(secret);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('treats the username case-insensitively, as AD does', () => {
    const { sealed, key } = sealCredential(secret, 'Alice');
    expect(openCredential(sealed, key, 'alice')).toEqual(secret);
  });

  it('uses a fresh key and IV each time', () => {
    const a = sealCredential(secret, 'alice');
    const b = sealCredential(secret, 'alice');
    expect(a.key).not.toBe(b.key);
    expect(a.sealed).not.toBe(b.sealed);
  });

  it('never contains the key material in the clear', () => {
    const { sealed } = sealCredential(secret, 'alice');
    expect(Buffer.from(sealed, 'base64url').includes(secret)).toBe(false);
  });

  it.each([0, 12, 20, 30, 43])('refuses a blob with byte %i flipped', (index) => {
    const { sealed, key } = sealCredential(secret, 'alice');
    expect(() => openCredential(flip(sealed, index), key, 'alice')).toThrow(CredentialUnreadableError);
  });

  it('refuses the wrong key', () => {
    const { sealed } = sealCredential(secret, 'alice');
    const other = sealCredential(secret, 'alice');
    expect(() => openCredential(sealed, other.key, 'alice')).toThrow(CredentialUnreadableError);
  });

  it("refuses a blob moved into another user's session", () => {
    const { sealed, key } = sealCredential(secret, 'alice');
    expect(() => openCredential(sealed, key, 'bob')).toThrow(CredentialUnreadableError);
  });

  it.each([
    ['empty', '', ''],
    ['truncated', 'AAAA', 'AAAA'],
    ['garbage', '!!!not base64!!!', '???'],
  ])('refuses %s input with the typed error', (_what, sealed, key) => {
    expect(() => openCredential(sealed, key, 'alice')).toThrow(CredentialUnreadableError);
  });

  it('asks users to sign in again (401)', () => {
    const { sealed } = sealCredential(secret, 'alice');
    try {
      openCredential(sealed, sealCredential(secret, 'alice').key, 'alice');
    } catch (err) {
      expect(err).toMatchObject({ status: 401, expose: true, message: 'Your sign-in has expired. Please sign in again.' });
    }
  });

  it('seals only 16-byte NTOWFv2 keys', () => {
    expect(() => sealCredential(Buffer.from('password'), 'alice')).toThrow(RangeError);
  });

  it('derives NTOWFv2 as MS-NLMP 4.2.4.1.1 does', () => {
    // MS-NLMP 4.2.4 test values: User "User", UserDom "Domain", Passwd "Password".
    expect(deriveNtowfv2('Password', 'User', 'Domain').toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });
});
