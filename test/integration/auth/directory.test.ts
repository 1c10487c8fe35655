import { readFileSync } from 'node:fs';
import { Client, InvalidCredentialsError as LdapInvalidCredentials } from 'ldapts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LdapDirectory } from '../../../src/auth/directory.js';
import {
  AccountDisabledError,
  AccountExpiredError,
  AccountLockedError,
  DirectoryConfigError,
  DirectoryUnavailableError,
  INVALID_CREDENTIALS_MESSAGE,
  InvalidCredentialsError,
  PasswordMustChangeError,
  SignInNotAllowedError,
} from '../../../src/auth/errors.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { homeDirectoryOf, LOCKOUT_THRESHOLD, MANY_GROUPS_COUNT } from '../../fixtures/domain-data.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { badPwdCount, directoryFor, failure, serviceClient, silentServer, userDn } from './helpers.js';

const cn = (dn: string): string => /^CN=([^,]+)/i.exec(dn)?.[1]?.toLowerCase() ?? dn;

describe.skipIf(process.env.PORTCULLIS_NO_FIXTURE === '1')('LdapDirectory against the Samba AD DC', () => {
  let domain: DomainInfo;
  let directory: LdapDirectory;
  let ca: Buffer;

  beforeAll(() => {
    domain = requireDomain();
    directory = directoryFor(domain);
    ca = readFileSync(domain.caFile);
  });

  describe('alice', () => {
    it.each(['alice', 'EXAMPLE\\alice', 'example\\alice', 'alice@example.test', 'ALICE@EXAMPLE.TEST', '  alice  '])('signs in as %j', async (login) => {
      const user = await directory.authenticate(login, domain.password);
      expect(user).toMatchObject({
        username: 'alice',
        domain: 'EXAMPLE',
        displayName: 'Alice Archer',
        mail: 'alice@example.test',
        homeDirectory: homeDirectoryOf('alice'),
      });
      expect(user.dn).toMatch(/,DC=example,DC=test$/i);
      expect(user.upn?.toLowerCase()).toBe('alice@example.test');
    });

    it('is in staff directly and in library-users only through nesting', async () => {
      const nested = await directory.authenticate('alice', domain.password);
      expect(nested.groups.map(cn).sort()).toEqual(['library-users', 'staff']);
      const direct = await directoryFor(domain, { LDAP_NESTED_GROUPS: 'false' }).authenticate('alice', domain.password);
      expect(direct.groups.map(cn)).toEqual(['staff']);
    });

    it('refuses a foreign DOMAIN\\ prefix or realm', async () => {
      for (const login of ['OTHER\\alice', 'alice@other.test']) {
        expect(await failure(directory.authenticate(login, domain.password))).toBeInstanceOf(InvalidCredentialsError);
      }
    });
  });

  it.each([
    ['carol', 'Zoë Ångström-Núñez'],
    ['jürgen', 'Jürgen Groß'],
    ['EXAMPLE\\jürgen', 'Jürgen Groß'],
  ])('%s signs in with a non-ASCII name', async (login, displayName) => {
    const user = await directory.authenticate(login, domain.password);
    expect(user.displayName).toBe(displayName);
    expect(user.groups.map(cn)).toEqual(['students']);
  });

  it('manygroups signs in with all 250 groups, nested lookup or not', async () => {
    const nested = await directory.authenticate('manygroups', domain.password);
    expect(nested.groups).toHaveLength(MANY_GROUPS_COUNT);
    expect(nested.displayName).toBe('Morgan Manygroups');
    expect(nested.mail).toBeUndefined();
    const direct = await directoryFor(domain, { LDAP_NESTED_GROUPS: 'false' }).authenticate('manygroups', domain.password);
    expect(direct.groups).toHaveLength(MANY_GROUPS_COUNT);
  });

  describe('wrong credentials', () => {
    it('wrong password and unknown user read exactly the same', async () => {
      const wrong = await failure(directory.authenticate('alice', 'not-the-password'));
      const unknown = await failure(directory.authenticate('nobody-at-all', domain.password));
      for (const err of [wrong, unknown]) {
        expect(err).toBeInstanceOf(InvalidCredentialsError);
        expect(err).toMatchObject({ status: 401, message: INVALID_CREDENTIALS_MESSAGE });
      }
      const shape = (e: unknown) => { const a = e as InvalidCredentialsError; return [a.name, a.code, a.status, a.message]; };
      expect(shape(wrong)).toEqual(shape(unknown));
    });

    it.each(['*', 'al*', '*)(sAMAccountName=alice', 'alice)(|(objectClass=*', '\\2a', 'alice\\'])('hostile name %j finds nobody', async (login) => {
      expect(await failure(directory.authenticate(login, domain.password))).toBeInstanceOf(InvalidCredentialsError);
    });

    it('refuses an empty password without contacting any DC', async () => {
      const spy = await silentServer();
      try {
        const spied = directoryFor(domain, { LDAP_URLS: spy.url });
        expect(await failure(spied.authenticate('alice', ''))).toBeInstanceOf(InvalidCredentialsError);
        expect(spy.connections()).toBe(0);
        expect(await failure(directory.authenticate('alice', ''))).toBeInstanceOf(InvalidCredentialsError);
      } finally {
        await spy.close();
      }
    });

    it('never tries the next DC after a wrong password (lockout counts once)', async () => {
      const admin = await serviceClient(domain, ca);
      try {
        const twice = directoryFor(domain, { LDAP_URLS: `${domain.ldapsUrl},${domain.ldapsUrl}` });
        const before = await badPwdCount(domain, admin, 'bob');
        expect(await failure(twice.authenticate('bob', 'not-the-password'))).toBeInstanceOf(InvalidCredentialsError);
        expect(await badPwdCount(domain, admin, 'bob')).toBe(before + 1);
        await directory.authenticate('bob', domain.password);
        expect(await badPwdCount(domain, admin, 'bob')).toBe(0);
      } finally {
        await admin.unbind();
      }
    });
  });

  describe('account states', () => {
    it('dave (disabled) hears that his account is disabled', async () => {
      expect(await failure(directory.authenticate('dave', domain.password))).toBeInstanceOf(AccountDisabledError);
    });

    it('erin must change her password', async () => {
      expect(await failure(directory.authenticate('erin', domain.password))).toBeInstanceOf(PasswordMustChangeError);
    });

    it("frank's account has expired", async () => {
      expect(await failure(directory.authenticate('frank', domain.password))).toBeInstanceOf(AccountExpiredError);
    });
  });

  describe('allowed groups', () => {
    it('lets in members of a group named by CN, through nesting', async () => {
      const restricted = directoryFor(domain, { SIGNIN_GROUPS: 'Library-Users' });
      expect((await restricted.authenticate('alice', domain.password)).username).toBe('alice');
      const err = await failure(restricted.authenticate('bob', domain.password));
      expect(err).toBeInstanceOf(SignInNotAllowedError);
      expect(err).toMatchObject({ message: 'Your account is not allowed to use this service.' });
    });

    it('accepts a full DN, case-insensitively', async () => {
      const staffDn = (await directory.authenticate('alice', domain.password)).groups.find((g) => cn(g) === 'staff') ?? '';
      const restricted = directoryFor(domain, { SIGNIN_GROUPS: `students;${staffDn.toUpperCase()}` });
      expect((await restricted.authenticate('alice', domain.password)).username).toBe('alice');
      expect((await restricted.authenticate('carol', domain.password)).username).toBe('carol');
      expect(await failure(restricted.authenticate('manygroups', domain.password))).toBeInstanceOf(SignInNotAllowedError);
    });

    it('without nesting, a group reached only through another group does not count', async () => {
      const restricted = directoryFor(domain, { SIGNIN_GROUPS: 'library-users', LDAP_NESTED_GROUPS: 'false' });
      expect(await failure(restricted.authenticate('alice', domain.password))).toBeInstanceOf(SignInNotAllowedError);
    });

    it('checks the password before telling anyone they are not allowed', async () => {
      const restricted = directoryFor(domain, { SIGNIN_GROUPS: 'staff' });
      expect(await failure(restricted.authenticate('bob', 'not-the-password'))).toBeInstanceOf(InvalidCredentialsError);
    });
  });

  describe('connections', () => {
    it('signs in over LDAP with StartTLS', async () => {
      const startTls = directoryFor(domain, { LDAP_URLS: domain.ldapUrl, LDAP_STARTTLS: 'true' });
      expect((await startTls.authenticate('alice', domain.password)).username).toBe('alice');
      await startTls.check();
    });

    it('moves on to the next URL when the first refuses connections', async () => {
      const failover = directoryFor(domain, { LDAP_URLS: `ldaps://127.0.0.1:1,${domain.ldapsUrl}` });
      expect((await failover.authenticate('alice', domain.password)).username).toBe('alice');
    });

    it('moves on when the first DC hangs, after the timeout', async () => {
      const silent = await silentServer();
      try {
        // The same timeout also bounds the real DC's answers, so it must allow a busy machine: the default, 5 s.
        const failover = directoryFor(domain, { LDAP_URLS: `${silent.url},${domain.ldapsUrl}`, LDAP_TIMEOUT_MS: '5000' });
        const start = performance.now();
        expect((await failover.authenticate('alice', domain.password)).username).toBe('alice');
        // It waited the silent DC out (never answering, it cannot have failed sooner), then moved on.
        expect(performance.now() - start).toBeGreaterThanOrEqual(4900);
        expect(silent.connections()).toBe(1);
      } finally {
        await silent.close();
      }
    });

    it('says the sign-in service is not answering when no URL answers, quickly', async () => {
      const silent = await silentServer();
      try {
        const dead = directoryFor(domain, { LDAP_URLS: `ldaps://127.0.0.1:1,${silent.url}`, LDAP_TIMEOUT_MS: '300' });
        const start = performance.now();
        const err = await failure(dead.authenticate('alice', domain.password));
        // Only this process's own timer and a refused local port are involved (no DC), so the bound is safe on a busy
        // machine; it is far below the 5 s default, so it proves LDAP_TIMEOUT_MS is what ended the wait.
        expect(performance.now() - start).toBeLessThan(4000);
        expect(err).toBeInstanceOf(DirectoryUnavailableError);
        expect(err).toMatchObject({ status: 503, message: 'The sign-in service is not answering, try again shortly.' });
        expect(await failure(dead.check())).toBeInstanceOf(DirectoryUnavailableError);
      } finally {
        await silent.close();
      }
    });

    it('does not trust a DC whose certificate it cannot verify', async () => {
      const untrusted = directoryFor(domain, { LDAP_CA_FILE: '' });
      const err = await failure(untrusted.authenticate('alice', domain.password));
      expect(err).toBeInstanceOf(DirectoryUnavailableError);
      const causes = ((err as DirectoryUnavailableError).cause as AggregateError).errors as NodeJS.ErrnoException[];
      expect(causes.map((c) => c.code)).toEqual([expect.stringMatching(/CERT|SIGNATURE|ISSUER|SELF_SIGNED/)]);
    });

    it('reports a wrong service password as an internal error, not as the user’s fault', async () => {
      const misconfigured = directoryFor(domain, { LDAP_BIND_PASSWORD: 'not-the-service-password' });
      const err = await failure(misconfigured.authenticate('alice', domain.password));
      expect(err).toBeInstanceOf(DirectoryConfigError);
      expect(err).toMatchObject({ status: 500, expose: false });
      expect(await failure(misconfigured.check())).toBeInstanceOf(DirectoryConfigError);
    });

    it('check() binds as the service account', async () => {
      await expect(directory.check()).resolves.toBeUndefined();
    });
  });

  // Last: grace stays locked for a minute afterwards.
  it(`grace is locked out after ${LOCKOUT_THRESHOLD} bad binds and is told so`, async () => {
    const admin = await serviceClient(domain, ca);
    const dn = await userDn(domain, admin, 'grace');
    await admin.unbind();
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      const client = new Client({ url: domain.ldapsUrl, tlsOptions: { ca: [ca] }, timeout: 5000 });
      try {
        await expect(client.bind(dn, `wrong-${i}`)).rejects.toBeInstanceOf(LdapInvalidCredentials);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    }
    const err = await failure(directory.authenticate('grace', domain.password));
    expect(err).toBeInstanceOf(AccountLockedError);
    expect(err).toMatchObject({ status: 401, message: expect.stringContaining('locked') });
  });
});
