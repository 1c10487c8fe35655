// KDC discovery by DNS SRV (issue 15: "the KDCs default to the DCs in LDAP_URLS, or DNS SRV records where they
// resolve") with a real DNS server (dnsmasq) naming the real DC's KDC, and our Kerberos client getting tickets from it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KdcDiscovery, KdcLookupError, KdcUnreachableError, KerberosClient, lookupKdcs, type DiscoveredKdc, type KdcAddress } from '../../../src/krb/index.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { startBlackHole, startDnsmasq, type DnsServer } from '../../helpers/dnsmasq.js';
import { deadPort } from './helpers.js';

describe('KDC discovery by DNS SRV against dnsmasq and the real DC', () => {
  const domain = requireDomain();
  // Records as an admin writes them, lower case; the look-up asks for the realm as the KDC spells it (EXAMPLE.TEST).
  const srvName = `_kerberos._tcp.${domain.realm.toLowerCase()}`;
  const dcName = domain.fileServerName;
  let dead: KdcAddress;
  const servers: DnsServer[] = [];
  const discoveries: KdcDiscovery[] = [];
  const dns = async (records: Parameters<typeof startDnsmasq>[1]): Promise<DnsServer> => {
    const s = await startDnsmasq(domain.ip, records);
    servers.push(s);
    return s;
  };
  const discovery = (options: Omit<ConstructorParameters<typeof KdcDiscovery>[0], 'realm'>): KdcDiscovery => {
    const d = new KdcDiscovery({ realm: domain.realm, ...options });
    discoveries.push(d);
    return d;
  };
  const client = (d: KdcDiscovery): KerberosClient => new KerberosClient({ realm: domain.realm, kdcs: () => d.current(), timeoutMs: 5000 });

  beforeAll(async () => {
    dead = { host: domain.ip, port: await deadPort(domain.ip) };
  });
  afterEach(() => {
    for (const d of discoveries.splice(0)) d.stop();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('the SRV record names the KDC: tickets come from it although the fallback (the LDAP_URLS hosts) has none', async () => {
    const server = await dns({ srv: [{ name: srvName, target: dcName, port: 88 }], hosts: { [dcName]: domain.ip } });
    const found: DiscoveredKdc[][] = [];
    const d = discovery({ fallback: [dead], servers: [server.server], onDiscovered: (k) => found.push([...k]) });
    // Before any look-up, the fallback alone: no KDC answers there.
    expect(d.current()).toEqual([dead]);
    await expect(client(d).getTgt('alice', domain.password)).rejects.toBeInstanceOf(KdcUnreachableError);

    await d.refresh();
    // The target's address from the same DNS server; the fallback stays behind it for failover.
    expect(found).toEqual([[{ host: domain.ip, port: 88, target: dcName }]]);
    expect(d.current()).toEqual([{ host: domain.ip, port: 88 }, dead]);
    const krb = client(d);
    const tgt = await krb.getTgt('alice', domain.password);
    expect(tgt.client.parts).toEqual(['alice']);
    const st = await krb.getServiceTicket(tgt, `cifs/${dcName}`);
    expect(st.ticket.sname.parts.map((p) => p.toLowerCase())).toEqual(['cifs', dcName]);
    // (dnsmasq logs names in lower case, whatever case was asked.)
    expect(server.queries()).toContainEqual(expect.stringMatching(new RegExp(`^query\\[SRV\\] _kerberos\\._tcp\\.${domain.realm.replace('.', '\\.')} from`, 'i')));

    // A refresh that finds the same KDCs is not reported again; the fallback host is listed once even when SRV names it.
    await d.refresh();
    expect(found).toHaveLength(1);
    const again = discovery({ fallback: [{ host: dcName, port: 88 }, dead], servers: [server.server] });
    await again.refresh();
    expect(again.current()).toEqual([{ host: domain.ip, port: 88 }, dead]);
  });

  it('priorities: the better one points at a dead port, the worse at the KDC; the order is RFC 2782\'s and failover reaches the KDC', async () => {
    const server = await dns({
      srv: [
        { name: srvName, target: dcName, port: 88, priority: 20, weight: 100 },
        { name: srvName, target: dcName, port: dead.port, priority: 10, weight: 0 },
      ],
      hosts: { [dcName]: domain.ip },
    });
    const kdcs = await lookupKdcs(domain.realm, { servers: [server.server] });
    expect(kdcs).toEqual([
      { host: domain.ip, port: dead.port, target: dcName },
      { host: domain.ip, port: 88, target: dcName },
    ]);
    const d = discovery({ fallback: [], servers: [server.server] });
    await d.refresh();
    expect(d.current()).toEqual([{ host: domain.ip, port: dead.port }, { host: domain.ip, port: 88 }]);
    const tgt = await client(d).getTgt('alice', domain.password);
    expect(tgt.client.parts).toEqual(['alice']);
  });

  it('no DNS answering (a port where nothing listens, or one that never replies): the fallback serves, one warning for a run of failures', async () => {
    const failures: KdcLookupError[] = [];
    const fallback = [{ host: domain.ip, port: 88 }];
    const closed = await deadPort(domain.ip); // UDP on this port is as unanswered: ICMP port unreachable
    const d = discovery({ fallback, servers: [`${domain.ip}:${closed}`], timeoutMs: 1000, onLookupFailed: (e) => failures.push(e) });
    await d.refresh();
    await d.refresh();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.authoritative).toBe(false);
    expect(failures[0]!.message).toMatch(/DNS did not answer/);
    expect(d.current()).toEqual(fallback);
    expect((await client(d).getTgt('alice', domain.password)).client.parts).toEqual(['alice']);

    // A DNS that swallows the query: a ticket is had while the look-up is still waiting, because nothing waits for it.
    const hole = await startBlackHole(domain.ip);
    try {
      const settled: string[] = [];
      const slow = discovery({ fallback, servers: [hole.server], timeoutMs: 120_000, onDiscovered: () => settled.push('found'), onLookupFailed: () => settled.push('failed') });
      slow.start();
      await expect.poll(() => hole.received(), { timeout: 30_000 }).toBeGreaterThan(0);
      const tgt = await client(slow).getTgt('alice', domain.password);
      expect(tgt.client.parts).toEqual(['alice']);
      expect(settled).toEqual([]);
      expect(slow.lookups).toBe(1);
    } finally {
      await hole.stop();
    }
  });

  it('NXDOMAIN, or a target "." (no service): the fallback alone; KDCs found earlier are dropped only on such an answer', async () => {
    const nx = await dns({ hosts: { [dcName]: domain.ip } });
    await expect(lookupKdcs(domain.realm, { servers: [nx.server] })).rejects.toMatchObject({ authoritative: true, message: expect.stringMatching(/no such record \(ENOTFOUND\)/) });

    const none = await dns({ srv: [{ name: srvName }] });
    await expect(lookupKdcs(domain.realm, { servers: [none.server] })).rejects.toMatchObject({ authoritative: true, message: expect.stringMatching(/target "\."/) });
    const failures: KdcLookupError[] = [];
    const fallback = [{ host: domain.ip, port: 88 }];
    const d = discovery({ fallback, servers: [none.server], onLookupFailed: (e) => failures.push(e) });
    await d.refresh();
    expect(d.current()).toEqual(fallback);
    expect(failures).toHaveLength(1);
    expect((await client(d).getTgt('alice', domain.password)).client.parts).toEqual(['alice']);
  });

  it('a DNS that stops answering keeps the KDCs found before (then the fallback); an authoritative "none" drops them', async () => {
    const first = await dns({ srv: [{ name: srvName, target: dcName, port: 88 }], hosts: { [dcName]: domain.ip } });
    const failures: KdcLookupError[] = [];
    const kept: (readonly DiscoveredKdc[])[] = [];
    const d = discovery({
      fallback: [dead],
      servers: [first.server],
      timeoutMs: 1000,
      onLookupFailed: (e, _name, k) => (failures.push(e), kept.push(k)),
    });
    await d.refresh();
    expect(d.current()).toEqual([{ host: domain.ip, port: 88 }, dead]);

    // The DNS server goes away: its answer from before still stands.
    await first.stop();
    await d.refresh();
    expect(failures.map((e) => e.authoritative)).toEqual([false]);
    expect(kept).toEqual([[{ host: domain.ip, port: 88, target: dcName }]]);
    expect(d.current()).toEqual([{ host: domain.ip, port: 88 }, dead]);
    expect((await client(d).getTgt('alice', domain.password)).client.parts).toEqual(['alice']);

    // Back on the same address, now without the record: NXDOMAIN is an answer, and the KDCs go (no second warning).
    await dns({ port: Number(first.server.split(':')[1]), hosts: { [dcName]: domain.ip } });
    await d.refresh();
    expect(d.current()).toEqual([dead]);
    expect(failures).toHaveLength(1);
  });
});
