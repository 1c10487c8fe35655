// The pool passes the integrity rules through to the web app: a guest fallback is a rejected credential
// (401), and only a server named in SMB_ALLOW_UNSIGNED_HOSTS may run an unsigned SMB 2.x session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { DriveRef } from '../../../src/drives/index.js';
import { toHttpError } from '../../../src/errors/index.js';
import { CredentialsRejectedError, SmbPool, type PoolCredential } from '../../../src/sessions/index.js';
import { ntowfv2 } from '../../../src/smb/auth/ntlm.js';
import { SmbUnsignedSessionError } from '../../../src/smb/index.js';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { legacyUnsignedServer, startSmbProxy, type SmbProxy } from '../../helpers/smb-proxy.js';

const GUEST_PORT = 4627;
const LEGACY_PORT = 4628;
const PROXY_PORT = 4629;

const drive = (port: number, share: string): DriveRef => ({ id: 'd', name: 'D', host: '127.0.0.1', port, share, basePath: [] });
const credential = (f: SmbdFixture, password: string): PoolCredential => ({ username: f.username, domain: f.domain, ntowfv2: ntowfv2(password, f.username, f.domain) });
const poolWith = (env: Record<string, string> = {}): SmbPool => new SmbPool(loadConfig({ SMB_TIMEOUT_MS: '10000', ...env }));

describe('SmbPool and file-server integrity', () => {
  let guest: SmbdFixture;
  let legacy: SmbdFixture;
  let proxy: SmbProxy;
  const pools: SmbPool[] = [];
  const track = (p: SmbPool): SmbPool => (pools.push(p), p);

  beforeAll(async () => {
    guest = await startSmbd({ name: 'pool-guest', port: GUEST_PORT, settings: { 'map to guest': 'Bad Password', 'guest ok': 'yes' } });
    legacy = await startSmbd({ name: 'pool-legacy', port: LEGACY_PORT, settings: { 'server max protocol': 'SMB2_10', 'server signing': 'auto' } });
    proxy = await startSmbProxy({ port: PROXY_PORT, target: { host: legacy.host, port: legacy.port }, rewrite: legacyUnsignedServer });
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await proxy?.close();
    await guest?.stop();
    await legacy?.stop();
  });

  it('a wrong password that the server would take as guest is a rejected credential (401), not a listing', async () => {
    const pool = track(poolWith());
    const err = await pool.use('sid-guest', credential(guest, 'wrong-password'), drive(GUEST_PORT, guest.readonlyShare), (s) => s.readdir('')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsRejectedError);
    expect((err as CredentialsRejectedError).reason).toBe('logon_failure');
    expect(toHttpError(err).status).toBe(401);
    const names = await pool.use('sid-user', credential(guest, guest.password), drive(GUEST_PORT, guest.readonlyShare), (s) => s.readdir(''));
    expect(names.map((e) => e.name)).toContain('readme.txt');
  });

  it('a legacy SMB 2.1 server that will not sign is refused unless SMB_ALLOW_UNSIGNED_HOSTS names it', async () => {
    const list = (pool: SmbPool): Promise<unknown> =>
      pool.use('sid-legacy', credential(legacy, legacy.password), drive(PROXY_PORT, legacy.readonlyShare), async (s) => (await s.readdir('')).map((e) => e.name));
    await expect(list(track(poolWith()))).rejects.toBeInstanceOf(SmbUnsignedSessionError);
    await expect(list(track(poolWith({ SMB_ALLOW_UNSIGNED_HOSTS: 'nas1.example.test' })))).rejects.toBeInstanceOf(SmbUnsignedSessionError);
    await expect(list(track(poolWith({ SMB_ALLOW_UNSIGNED_HOSTS: 'nas1.example.test, 127.0.0.1' })))).resolves.toContain('readme.txt');
  });
});
