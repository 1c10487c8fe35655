// The app finds its KDCs by DNS SRV (KRB_DNS_SERVERS at a real dnsmasq) in the background: a Kerberos-first sign-in
// and a listing with SMB_AUTH=kerberos work with the KDC the SRV record names; a DNS that never answers costs a
// sign-in nothing; KRB_KDCS means no look-up at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signInOk } from '../../helpers/http-client.js';
import { startBlackHole, startDnsmasq, type DnsServer } from '../../helpers/dnsmasq.js';
import { startWebApp, type WebApp, type WebAppOptions } from '../../helpers/web-app.js';
import { deadPort } from './helpers.js';

const logged = (app: WebApp, message: string): boolean => app.logs.some((l) => (JSON.parse(l) as { message?: string }).message?.startsWith(message) === true);

describe('the app: KDCs by DNS SRV, off the sign-in path', () => {
  const domain = requireDomain();
  const srvName = `_kerberos._tcp.${domain.realm.toLowerCase()}`;
  const env = { SMB_AUTH: 'kerberos', LOGIN_MAX_PER_IP: '1000' };
  let dns: DnsServer;
  const apps: WebApp[] = [];
  const start = async (opts: WebAppOptions): Promise<WebApp> => {
    const app = await startWebApp(domain, opts);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    dns = await startDnsmasq(domain.ip, { srv: [{ name: srvName, target: domain.fileServerName, port: 88 }], hosts: { [domain.fileServerName]: domain.ip } });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await dns?.stop();
  });

  it('signs in Kerberos-first and lists the home drive with the KDC SRV names, the LDAP_URLS host having none', async () => {
    const noKdc = { host: domain.ip, port: await deadPort(domain.ip) };
    const app = await start({
      env: { ...env, KRB_DNS_SERVERS: dns.server },
      // LDAP_URLS must stay the DC (its certificate names its address only), so the fallback it gives is replaced
      // by a KDC address where nothing answers: what LDAP_URLS hosts without a KDC on them amount to.
      adjust: (c) => void (c.kerberos.kdcs = [noKdc]),
    });
    await expect.poll(() => logged(app, 'KDCs found by DNS SRV'), { timeout: 30_000 }).toBe(true);
    const line = app.logs.map((l) => JSON.parse(l) as { message: string; level: string; kdcs?: string[] }).find((l) => l.message.startsWith('KDCs found by DNS SRV'));
    expect(line?.level).toBe('info');
    expect(line?.kdcs).toEqual([`${domain.fileServerName} (${domain.ip}):88`]);

    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    const res = await client.get('/browse/home/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Welcome.txt');
  });

  it('a DNS that never answers: the app starts, alice signs in and browses while the look-up still waits', async () => {
    const hole = await startBlackHole(domain.ip);
    try {
      // Its own DNS timeout far beyond this test, so "still waiting" is a state, not a race.
      const app = await start({ env: { ...env, KRB_DNS_SERVERS: hole.server }, services: { kdcDiscovery: { timeoutMs: 300_000 } } });
      await expect.poll(() => hole.received(), { timeout: 30_000 }).toBeGreaterThan(0);
      const client = app.client();
      await signInOk(client, 'alice', DEMO_PASSWORD);
      expect((await client.get('/browse/home/')).status).toBe(200);
      // The look-up has neither found nor failed: the sign-in used the LDAP_URLS host without waiting for it.
      expect(logged(app, 'KDCs found by DNS SRV')).toBe(false);
      expect(logged(app, 'no KDCs from DNS SRV')).toBe(false);
    } finally {
      await hole.stop();
    }
  });

  it('a DNS port where nothing listens: one warning, and the LDAP_URLS host serves', async () => {
    const closed = await deadPort(domain.ip);
    const app = await start({ env: { ...env, KRB_DNS_SERVERS: `${domain.ip}:${closed}` } });
    await expect.poll(() => logged(app, 'no KDCs from DNS SRV'), { timeout: 30_000 }).toBe(true);
    const warning = app.logs.map((l) => JSON.parse(l) as { message: string; level: string; kdcs?: string[] }).find((l) => l.message.startsWith('no KDCs from DNS SRV'));
    expect(warning?.level).toBe('warn');
    expect(warning?.kdcs).toEqual([`${domain.ip}:88`]);
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    expect((await client.get('/browse/home/')).status).toBe(200);
  });

  it('KRB_KDCS set: no look-up at all (dnsmasq logs every question; the next app without it asks)', async () => {
    const asked = (): number => dns.queries().filter((q) => q.includes('_kerberos._tcp')).length;
    const before = asked();
    const explicit = await start({ env: { ...env, KRB_DNS_SERVERS: dns.server, KRB_KDCS: `${domain.ip}:88` } });
    const client = explicit.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    expect((await client.get('/browse/home/')).status).toBe(200);
    expect(asked()).toBe(before);
    expect(explicit.logs.some((l) => l.includes('DNS SRV'))).toBe(false);

    // The control: the same DNS server, without KRB_KDCS, is asked (so the silence above is not a deaf log).
    await start({ env: { ...env, KRB_DNS_SERVERS: dns.server } });
    await expect.poll(asked, { timeout: 30_000 }).toBeGreaterThan(before);
  });
});
