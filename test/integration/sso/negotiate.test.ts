// HTTP Negotiate (issue 15 section 4) against the real Samba AD DC: the test is the browser, with the project's own
// Kerberos client (TGT, service ticket for HTTP/<app host>, GSS token), and sends `Authorization: Negotiate`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerberosClient, KerberosInitiator, keysFor, parseKeytab, servicePrincipal, isForwardable } from '../../../src/krb/index.js';
import { SERVICE_ACCOUNT } from '../../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { alertIn, listedNames } from '../../helpers/http-client.js';
import { acceptServerReply, mintTicket, negotiateHeader, randomKey } from '../../helpers/negotiate.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

describe('HTTP Negotiate: a domain browser signs in with its Kerberos ticket', () => {
  const domain = requireDomain();
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  const httpSpn = domain.kerberos.httpSpn;
  let app: WebApp;

  /** A browser's ticket for HTTP/<app host>, from the user's own TGT (their password, as at a Windows logon). */
  const browserTicket = async (user: string) => krb.getServiceTicket(await krb.getTgt(user, DEMO_PASSWORD), httpSpn);
  const initiator = (service: Awaited<ReturnType<typeof browserTicket>>, now = () => krb.kdcNow()) => new KerberosInitiator({ service, now });
  const lastLog = (needle: string) => app.logs.filter((l) => l.includes(needle)).at(-1) ?? '';

  beforeAll(async () => {
    app = await startWebApp(domain, { env: { AUTH_METHODS: 'password,negotiate', KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT, KRB_KEYTAB: domain.kerberos.keytab } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /login without a ticket: 401 with the Negotiate challenge, and the password form for browsers without one', async () => {
    const res = await app.client().get('/login');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
    expect(res.text).toContain('name="password"');
  });

  it("alice's ticket: 303 to where she was going, the server proves itself (AP-REP), and her home is listed", async () => {
    const service = await browserTicket('alice');
    expect(isForwardable(service.flags)).toBe(true);
    const gss = initiator(service);
    const client = app.client();
    const res = await client.get('/login?next=%2Fbrowse%2Fhome%2F', { headers: { Authorization: negotiateHeader(gss) } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/browse/home/');
    acceptServerReply(gss, res.headers.get('www-authenticate'));
    expect(gss.isEstablished).toBe(true);
    // Her forwardable ticket was the evidence: S4U2Proxy with it, no protocol transition needed.
    expect(lastLog('Negotiate ticket accepted')).toContain('browser ticket (S4U2Proxy)');
    const page = await client.get('/browse/home/');
    expect(page.status).toBe(200);
    expect(listedNames(page.text)).toContain('Welcome.txt');
  });

  it('the same Authorization header again is a replay: 401 and a fresh challenge', async () => {
    const header = negotiateHeader(initiator(await browserTicket('bob')));
    expect((await app.client().get('/login', { headers: { Authorization: header } })).status).toBe(303);
    const again = await app.client().get('/login', { headers: { Authorization: header } });
    expect(again.status).toBe(401);
    expect(again.headers.get('www-authenticate')).toBe('Negotiate');
    expect(lastLog('Negotiate ticket refused')).toContain('"result":"replay"');
  });

  it('a forged ticket (not made with our key) is a 401 with the challenge and the page saying so, never a 500', async () => {
    const now = krb.kdcNow();
    const forged = mintTicket({ client: 'alice', realm: domain.realm, sname: servicePrincipal(httpSpn), key: randomKey(), authtime: now, endtime: new Date(now.getTime() + 3600_000) });
    const res = await app.client().get('/login', { headers: { Authorization: negotiateHeader(initiator(forged)) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
    expect(alertIn(res.text)).toMatch(/Kerberos ticket did not work/);
    expect(lastLog('Negotiate ticket refused')).toContain('"result":"integrity"');
    // Garbage in the header is the same: a 401 challenge.
    const junk = await app.client().get('/login', { headers: { Authorization: 'Negotiate ' + Buffer.from('not a token at all').toString('base64') } });
    expect(junk.status).toBe(401);
    expect(junk.headers.get('www-authenticate')).toBe('Negotiate');
  });

  it('an expired ticket (made with the real HTTP/ key, its end time passed) is a 401 with the challenge', async () => {
    const entries = parseKeytab(readFileSync(domain.kerberos.keytab));
    const [httpKey] = keysFor(entries, httpSpn, domain.realm).filter((e) => e.key.etype === 18);
    const now = krb.kdcNow().getTime();
    const expired = mintTicket({ client: 'alice', realm: domain.realm, sname: servicePrincipal(httpSpn), key: httpKey!.key, kvno: httpKey!.kvno, authtime: new Date(now - 11 * 3600_000), endtime: new Date(now - 3600_000) });
    const res = await app.client().get('/login', { headers: { Authorization: negotiateHeader(initiator(expired)) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
    expect(lastLog('Negotiate ticket refused')).toContain('"result":"expired"');
  });

  it("an authenticator 10 minutes off our clock is refused (skew), although the ticket is genuine", async () => {
    const service = await browserTicket('alice');
    const skewed = initiator(service, () => new Date(krb.kdcNow().getTime() + 10 * 60_000));
    const res = await app.client().get('/login', { headers: { Authorization: negotiateHeader(skewed) } });
    expect(res.status).toBe(401);
    expect(lastLog('Negotiate ticket refused')).toContain('"result":"skew"');
  });

  it('nina ("sensitive and cannot be delegated") gets a clear refusal page (403), not a 500, and no session', async () => {
    // Her TGT is not forwardable, so neither is her browser's ticket: protocol transition (S4U2Self) stands in, and its
    // ticket is not forwardable either, so the KDC refuses S4U2Proxy.
    const service = await browserTicket('nina');
    expect(isForwardable(service.flags)).toBe(false);
    const client = app.client();
    const res = await client.get('/login', { headers: { Authorization: negotiateHeader(initiator(service)) } });
    expect(res.status).toBe(403);
    expect(alertIn(res.text) ?? res.text).toMatch(/cannot be used with single sign-on/);
    expect((await client.get('/browse/home/')).status).toBe(303);
    expect(lastLog('Negotiate ticket accepted')).toContain('not forwardable: S4U2Self');
    expect(lastLog('single sign-on refused')).toContain('"user":"nina"');
  });
});

describe('Negotiate header sizes: manygroups (250 groups in the PAC) within HTTP_MAX_HEADER_BYTES', () => {
  const domain = requireDomain();
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  const env = { AUTH_METHODS: 'negotiate', KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT, KRB_KEYTAB: domain.kerberos.keytab };
  let small: WebApp;
  let standard: WebApp;

  const header = async (user: string): Promise<string> => {
    const service = await krb.getServiceTicket(await krb.getTgt(user, DEMO_PASSWORD), domain.kerberos.httpSpn);
    return negotiateHeader(new KerberosInitiator({ service, now: () => krb.kdcNow() }));
  };

  beforeAll(async () => {
    // The smallest limit the setting allows (8 KiB), and the default (64 KiB).
    small = await startWebApp(domain, { env: { ...env, HTTP_MAX_HEADER_BYTES: '8192' } });
    standard = await startWebApp(domain, { env });
  });
  afterAll(async () => {
    await small?.close();
    await standard?.close();
  });

  it("manygroups' header (measured ~4.8 KB, README) fits even the smallest limit, and signs in; its home is listed", async () => {
    const alice = await header('alice');
    const many = await header('manygroups');
    // README "Single sign-on": alice ~2.1 KB, manygroups ~4.8 KB (Authorization line); keep the numbers honest.
    expect(`Authorization: ${alice}`.length).toBeLessThan(3_000);
    expect(`Authorization: ${many}`.length).toBeGreaterThan(4_000);
    expect(`Authorization: ${many}`.length).toBeLessThan(6_000);
    const client = small.client();
    const res = await client.get('/login', { headers: { Authorization: many } });
    expect(res.status).toBe(303);
    expect((await client.get('/browse/home/')).status).toBe(200);
  });

  it('the limit is the server\'s: past it Node answers 431 before the app; the default takes a 20 KB header (Node\'s own is 16 KiB)', async () => {
    const big = `Negotiate ${Buffer.alloc(15_000, 1).toString('base64')}`;
    expect((await small.client().get('/login', { headers: { Authorization: big } })).status).toBe(431);
    const res = await standard.client().get('/login', { headers: { Authorization: big } });
    // Reached the app: not a ticket, so the challenge again; and no password form, since AUTH_METHODS has no password.
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
    expect(res.text).not.toContain('name="password"');
  });
});

describe('Negotiate behind a balancer: two instances sharing Redis take an authenticator once between them', () => {
  const domain = requireDomain();
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  let redis: RedisFixture;
  let a: WebApp;
  let b: WebApp;

  const header = async (user: string): Promise<string> => {
    const service = await krb.getServiceTicket(await krb.getTgt(user, DEMO_PASSWORD), domain.kerberos.httpSpn);
    return negotiateHeader(new KerberosInitiator({ service, now: () => krb.kdcNow() }));
  };

  beforeAll(async () => {
    redis = await startRedis({ name: 'negotiate-replay', port: 6796 });
    const env = { AUTH_METHODS: 'password,negotiate', KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT, KRB_KEYTAB: domain.kerberos.keytab, REDIS_URL: redis.url };
    a = await startWebApp(domain, { env });
    b = await startWebApp(domain, { env });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('a header accepted by one instance is a replay at the other: 401 and the challenge', async () => {
    const stolen = await header('bob');
    expect((await a.client().get('/login', { headers: { Authorization: stolen } })).status).toBe(303);
    const replayed = await b.client().get('/login', { headers: { Authorization: stolen } });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toBe('Negotiate');
    expect(b.logs.filter((l) => l.includes('Negotiate ticket refused')).at(-1)).toContain('"result":"replay"');
    // The other instance itself is fine: a fresh header signs in there.
    expect((await b.client().get('/login', { headers: { Authorization: await header('bob') } })).status).toBe(303);
  });
});
