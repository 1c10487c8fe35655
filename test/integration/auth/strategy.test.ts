import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import passport from 'passport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredential, sealCredential } from '../../../src/auth/credential-vault.js';
import { directorySettings, type DirectoryUser, LdapDirectory } from '../../../src/auth/directory.js';
import { INVALID_CREDENTIALS_MESSAGE } from '../../../src/auth/errors.js';
import { AdStrategy, type AdSignInInfo } from '../../../src/auth/strategy.js';
import { SignInThrottle, throttleSettings } from '../../../src/auth/throttle.js';
import { toHttpError } from '../../../src/errors/index.js';
import { SmbClient } from '../../../src/smb/index.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { configFor } from './helpers.js';

interface Answer {
  status: number;
  message?: string;
  code?: string;
  retryAfter?: string | null;
  user?: DirectoryUser;
  sealed?: string;
  key?: string;
}

/** A login route shaped like the real one: passport.authenticate with a callback, showing err.message. */
function loginApp(strategy: AdStrategy): express.Express {
  const auth = new passport.Passport();
  auth.use(strategy);
  const app = express();
  app.set('trust proxy', true);
  app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
    const handler = auth.authenticate('ad', { session: false }, (err: unknown, user: DirectoryUser | false, info: AdSignInInfo | undefined) => {
      if (err) {
        const e = toHttpError(err);
        if ('retryAfterSeconds' in e && typeof e.retryAfterSeconds === 'number') res.set('Retry-After', String(e.retryAfterSeconds));
        res.status(e.status).json({ message: e.message, code: e.code });
        return;
      }
      if (!user || !info) {
        res.status(500).json({ message: 'no user' });
        return;
      }
      res.json({ user, ...sealCredential(info.ntowfv2, user.username) });
    }) as express.RequestHandler;
    handler(req, res, next);
  });
  return app;
}

describe.skipIf(process.env.PORTCULLIS_NO_FIXTURE === '1')("the 'ad' strategy against the Samba AD DC", () => {
  let domain: DomainInfo;
  let server: Server;
  let url: string;
  const maxFailures = 3;

  beforeAll(async () => {
    domain = requireDomain();
    const config = configFor(domain, { LOGIN_MAX_PER_USER: String(maxFailures), LOGIN_MAX_PER_IP: '50' });
    const strategy = new AdStrategy({
      directory: new LdapDirectory(directorySettings(config)),
      throttle: new SignInThrottle(throttleSettings(config)),
      domain: config.ad.domain,
    });
    server = loginApp(strategy).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const signIn = async (username: string, password: string, ip = '192.0.2.10'): Promise<Answer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': ip },
      body: new URLSearchParams({ username, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ...((await res.json()) as Omit<Answer, 'status'>) };
  };

  it('signs alice in and hands over an NTOWFv2 key that opens her home drive', async () => {
    const answer = await signIn('EXAMPLE\\alice', domain.password);
    expect(answer.status).toBe(200);
    expect(answer.user).toMatchObject({ username: 'alice', domain: 'EXAMPLE' });
    const ntowfv2 = openCredential(answer.sealed ?? '', answer.key ?? '', 'alice');
    const smb = await SmbClient.connect({ host: domain.ip, port: 445, share: domain.shares.users, credential: { username: 'alice', domain: 'EXAMPLE', ntowfv2 }, timeoutMs: 10_000 });
    try {
      expect(Array.isArray(await smb.readdir('alice'))).toBe(true);
    } finally {
      await smb.close();
    }
  });

  it('shows the same message for a wrong password and an unknown user', async () => {
    const wrong = await signIn('carol', 'not-the-password', '192.0.2.11');
    const unknown = await signIn('nobody-at-all', 'whatever', '192.0.2.11');
    expect(wrong).toEqual({ status: 401, retryAfter: null, message: INVALID_CREDENTIALS_MESSAGE, code: 'invalid_credentials' });
    expect(unknown).toEqual(wrong);
    expect((await signIn('carol', domain.password, '192.0.2.11')).status).toBe(200);
  });

  it(`refuses a username after ${maxFailures} failures, even with the right password`, async () => {
    // Typed three different ways: one account, one counter.
    for (const login of ['jürgen', 'EXAMPLE\\jürgen', 'JÜRGEN@example.test']) {
      expect((await signIn(login, 'not-the-password', '192.0.2.20')).status).toBe(401);
    }
    const refused = await signIn('jürgen', domain.password, '198.51.100.20');
    expect(refused.status).toBe(429);
    expect(refused.code).toBe('too_many_attempts');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Other accounts are unaffected.
    expect((await signIn('carol', domain.password, '192.0.2.20')).status).toBe(200);
  });

  it('a success gives its own point back and leaves earlier failures counted', async () => {
    for (let i = 0; i < maxFailures - 1; i++) expect((await signIn('bob', 'not-the-password', '192.0.2.30')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await signIn('bob', domain.password, '192.0.2.30')).status).toBe(200);
    expect((await signIn('bob', 'not-the-password', '192.0.2.30')).status).toBe(401);
    expect((await signIn('bob', domain.password, '192.0.2.30')).status).toBe(429);
  });

  it("a client IP's successful sign-ins never count towards maxFailuresPerIp", { timeout: 180_000 }, async () => {
    const lab = '203.0.113.49';
    for (let i = 0; i < 51; i++) expect((await signIn('alice', domain.password, lab)).status).toBe(200);
  });

  it('refuses a client IP after maxFailuresPerIp failures', async () => {
    const ip = '203.0.113.50';
    for (let i = 0; i < 50; i++) await signIn(`nobody-${i}`, 'x', ip);
    const answer = await signIn('alice', domain.password, ip);
    expect(answer.status).toBe(429);
    expect((await signIn('alice', domain.password, '203.0.113.51')).status).toBe(200);
  });

  it('sign-ins that never reached a DC cost nothing: no DC answering is not a wrong password', async () => {
    // One throttle behind two strategies: one whose only DC refuses connections (nothing listens there), one real.
    const config = configFor(domain, { LOGIN_MAX_PER_USER: String(maxFailures), LOGIN_MAX_PER_IP: String(maxFailures) });
    const throttle = new SignInThrottle(throttleSettings(config));
    const deadDc = configFor(domain, { LDAP_URLS: `ldaps://${domain.ip}:4601` });
    const servers = [new LdapDirectory(directorySettings(deadDc)), new LdapDirectory(directorySettings(config))].map((directory) =>
      loginApp(new AdStrategy({ directory, throttle, domain: config.ad.domain })).listen(0, '127.0.0.1'),
    );
    try {
      await Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r))));
      const [down, up] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/login`);
      const post = async (to: string | undefined, password: string): Promise<number> =>
        (await fetch(to ?? '', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'alice', password }) })).status;
      for (let i = 0; i < maxFailures * 3; i++) expect(await post(down, domain.password)).toBe(503);
      expect(await post(up, domain.password)).toBe(200);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('refuses an empty password and a missing username with the usual message', async () => {
    expect(await signIn('alice', '', '192.0.2.40')).toMatchObject({ status: 401, message: INVALID_CREDENTIALS_MESSAGE });
    expect(await signIn('', domain.password, '192.0.2.40')).toMatchObject({ status: 401, message: INVALID_CREDENTIALS_MESSAGE });
  });
});
