// `portcullis smb --kerberos` finds its KDC by DNS SRV when neither --kdc nor KRB_KDCS is given: a child process
// against the AD DC, with a real DNS server (dnsmasq) at KRB_DNS_SERVERS and LDAP_URLS naming a host with no KDC.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { startDnsmasq, type DnsServer } from '../../helpers/dnsmasq.js';
import { runSmbCli } from './helpers.js';

/** A loopback address of no fixture's: nothing listens on its port 88, so a KDC list of it alone fails. */
const NO_KDC_HOST = '127.0.81.250';

describe('portcullis smb --kerberos: KDCs by DNS SRV', () => {
  const domain = requireDomain();
  const target = `//${domain.ip}/${domain.shares.users}/alice`;
  const args = ['ls', target, '--kerberos', '--user', `alice@${domain.realm}`, '--server-name', domain.fileServerName, '--json', '-v'];
  const srvName = `_kerberos._tcp.${domain.realm.toLowerCase()}`;
  let dns: DnsServer;
  let nx: DnsServer;

  beforeAll(async () => {
    dns = await startDnsmasq(domain.ip, { srv: [{ name: srvName, target: domain.fileServerName, port: 88 }], hosts: { [domain.fileServerName]: domain.ip } });
    nx = await startDnsmasq(domain.ip, {});
  });
  afterAll(async () => {
    await dns?.stop();
    await nx?.stop();
  });

  it('nothing answers Kerberos on the LDAP_URLS host (the premise)', async () => {
    const refused = await new Promise<string>((resolve) => {
      const s = createConnection({ host: NO_KDC_HOST, port: 88 });
      s.on('connect', () => (s.destroy(), resolve('connected')));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('lists alice\'s home with the KDC the SRV record names, and says where it came from with -v', async () => {
    const r = await runSmbCli(args, domain.password, { LDAP_URLS: `ldaps://${NO_KDC_HOST}`, KRB_DNS_SERVERS: dns.server });
    expect(r.stderr).toContain(`KDCs from DNS SRV _kerberos._tcp.${domain.realm}: ${domain.fileServerName} (${domain.ip}):88`);
    expect(r.stderr).toMatch(/\(Kerberos\): dialect 3\.1\.1/);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name)).toContain('Welcome.txt');
  });

  it('without an SRV record (NXDOMAIN) the LDAP_URLS host alone is tried: no KDC answers, exit 5', async () => {
    const r = await runSmbCli(args, domain.password, { LDAP_URLS: `ldaps://${NO_KDC_HOST}`, KRB_DNS_SERVERS: nx.server });
    expect(r.stderr).toMatch(/no KDCs from DNS SRV \(.*no such record \(ENOTFOUND\)\): using 127\.0\.81\.250:88/);
    expect(r.code).toBe(5);
  });

  it('--kdc or KRB_KDCS: no DNS look-up at all', async () => {
    const before = dns.queries().filter((q) => q.includes('_kerberos')).length;
    const withFlag = await runSmbCli([...args, '--kdc', domain.ip], domain.password, { KRB_DNS_SERVERS: dns.server });
    expect(withFlag.code).toBe(0);
    const withEnv = await runSmbCli(args, domain.password, { KRB_KDCS: domain.ip, KRB_DNS_SERVERS: dns.server });
    expect(withEnv.code).toBe(0);
    expect(withFlag.stderr + withEnv.stderr).not.toMatch(/DNS SRV/);
    expect(dns.queries().filter((q) => q.includes('_kerberos'))).toHaveLength(before);
  });
});
