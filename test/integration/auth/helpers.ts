import net from 'node:net';
import { Client } from 'ldapts';
import { directorySettings, LdapDirectory } from '../../../src/auth/directory.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { appEnvFor } from '../../fixtures/app-env.js';
import type { DomainInfo } from '../../fixtures/domain.js';

export function configFor(domain: DomainInfo, extra: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', ...appEnvFor(domain), ...extra });
}

export function directoryFor(domain: DomainInfo, extra: Record<string, string> = {}): LdapDirectory {
  return new LdapDirectory(directorySettings(configFor(domain, extra)));
}

/** Resolves with the rejection, so a test can look at the error's class and wording together. */
export async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure, got success');
}

/** A TCP port that accepts connections and never says a word: a hung DC. Counts connections. */
export async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An LDAPS client bound as the service account, for looking at the directory the way an admin would. */
export async function serviceClient(domain: DomainInfo, ca: Buffer): Promise<Client> {
  const client = new Client({ url: domain.ldapsUrl, tlsOptions: { ca: [ca] }, timeout: 5000, connectTimeout: 5000 });
  await client.bind(domain.serviceAccount.dn, domain.serviceAccount.password);
  return client;
}

export async function userDn(domain: DomainInfo, client: Client, username: string): Promise<string> {
  const { searchEntries } = await client.search(domain.baseDn, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['1.1'] });
  const dn = searchEntries[0]?.dn;
  if (!dn) throw new Error(`no ${username} in the test domain`);
  return dn;
}

export async function badPwdCount(domain: DomainInfo, client: Client, username: string): Promise<number> {
  const { searchEntries } = await client.search(domain.baseDn, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['badPwdCount'] });
  return Number(searchEntries[0]?.badPwdCount ?? 0);
}
