// The directory's pooled connections against the real DC: group membership from tokenGroups equals what the
// in-chain subtree search gave; sign-ins share one service connection instead of a handshake and a service bind
// each; and the pool finds its way back after its connections are cut and after the DC restarts.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapDirectory } from '../../../src/auth/directory.js';
import { DirectoryUnavailableError } from '../../../src/auth/errors.js';
import { nestedGroupsFilter } from '../../../src/auth/filter.js';
import { type DomainInfo, startDomain, stopDomain } from '../../fixtures/domain.js';
import { MANY_GROUPS_COUNT } from '../../fixtures/domain-data.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { directoryFor, failure, serviceClient, userDn } from './helpers.js';

const lower = (dns: string[]): string[] => dns.map((dn) => dn.toLowerCase()).sort();

/** The old way: every group whose member chain reaches the user, by LDAP_MATCHING_RULE_IN_CHAIN. */
async function inChainGroups(domain: DomainInfo, client: Client, username: string): Promise<string[]> {
  const { searchEntries } = await client.search(domain.baseDn, {
    scope: 'sub',
    filter: nestedGroupsFilter(await userDn(domain, client, username)),
    attributes: ['1.1'],
    paged: { pageSize: 500 },
  });
  return searchEntries.map((e) => e.dn);
}

/** A TCP relay on the DC's own address (so its certificate still matches) that counts and can cut connections. */
async function relay(domain: DomainInfo, port: number): Promise<{ url: string; opened: () => number; cut: () => void; close: () => Promise<void> }> {
  let opened = 0;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((inbound) => {
    opened++;
    const outbound = net.connect(636, domain.ip);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    for (const s of pair) {
      s.on('error', () => undefined);
      s.on('close', () => {
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  server.listen(port, domain.ip);
  await once(server, 'listening');
  const cut = (): void => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
  };
  return {
    url: `ldaps://${domain.ip}:${port}`,
    opened: () => opened,
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('LdapDirectory with pooled connections', () => {
  let domain: DomainInfo;
  let admin: Client;
  let directory: LdapDirectory;

  beforeAll(async () => {
    domain = requireDomain();
    admin = await serviceClient(domain, readFileSync(domain.caFile));
    directory = directoryFor(domain);
  });
  afterAll(async () => {
    await admin?.unbind();
    await directory?.close();
  });

  describe('group membership from tokenGroups equals the in-chain search', () => {
    it.each(['alice', 'manygroups', 'bob', 'student042'])('for %s', async (username) => {
      const expected = await inChainGroups(domain, admin, username);
      const user = await directory.authenticate(username, domain.password);
      expect(lower(user.groups)).toEqual(lower(expected));
    });

    it('includes groups reached only through nesting (alice: staff → library-users), never Domain Users', async () => {
      const { groups } = await directory.authenticate('alice', domain.password);
      expect(lower(groups).map((dn) => /^cn=([^,]+)/.exec(dn)?.[1])).toEqual(['library-users', 'staff']);
    });

    it('gives manygroups all 250 groups, also from the cache on the second sign-in', async () => {
      for (let i = 0; i < 2; i++) {
        const { groups } = await directory.authenticate('manygroups', domain.password);
        expect(groups.filter((dn) => /^CN=group-\d{3},/i.test(dn))).toHaveLength(MANY_GROUPS_COUNT);
      }
    });
  });

  it('ten sign-ins open one service connection and reuse one bind connection, and recover when both are cut', async () => {
    const proxy = await relay(domain, 4701);
    const pooled = directoryFor(domain, { LDAP_URLS: proxy.url });
    try {
      for (let i = 1; i <= 10; i++) expect((await pooled.authenticate(`student${String(100 + i)}`, domain.password)).username).toBe(`student${100 + i}`);
      // Before pooling: ten connections, each with a TLS handshake and a service bind.
      expect(proxy.opened()).toBe(2);
      proxy.cut();
      // Both pooled connections are dead now; the next sign-in must notice and open fresh ones, not fail.
      expect((await pooled.authenticate('alice', domain.password)).username).toBe('alice');
      expect(proxy.opened()).toBe(4);
    } finally {
      await pooled.close();
      await proxy.close();
    }
  });

  it('says the directory is unavailable while the DC is down and signs in again once it is back', { timeout: 240_000 }, async () => {
    const pooled = directoryFor(domain);
    try {
      expect((await pooled.authenticate('alice', domain.password)).username).toBe('alice');
      await stopDomain(domain.name);
      try {
        expect(await failure(pooled.authenticate('alice', domain.password))).toBeInstanceOf(DirectoryUnavailableError);
      } finally {
        await startDomain({ name: domain.name, ip: domain.ip });
      }
      expect((await pooled.authenticate('alice', domain.password)).username).toBe('alice');
      expect((await pooled.authenticate('student007', domain.password)).username).toBe('student007');
    } finally {
      await pooled.close();
    }
  });
});
