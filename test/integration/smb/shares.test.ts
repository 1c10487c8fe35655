import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { SmbClient, type RpcTrace } from '../../../src/smb/index.js';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { FIXTURE_ROOT } from '../../fixtures/paths.js';

const run = promisify(execFile);

/** `smbclient -L`'s table: name, type, comment, one share a line. */
async function smbclientShares(target: string, port: number, user: string, password: string): Promise<{ name: string; type: string; comment: string }[]> {
  const { stdout } = await run('smbclient', ['-L', `//${target}`, '-p', String(port), '-U', `${user}%${password}`, '-m', 'SMB3', '-g'], { maxBuffer: 16 << 20 });
  // -g: "Disk|name|comment"
  return stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter((p) => p.length >= 3 && ['Disk', 'IPC', 'Printer', 'Device'].includes(p[0] ?? ''))
    .map(([type = '', name = '', ...comment]) => ({ name, type: type.toLowerCase() === 'printer' ? 'printer' : type.toLowerCase(), comment: comment.join('|') }));
}

describe('share enumeration over IPC$ / srvsvc', () => {
  const domain = requireDomain();
  let client: SmbClient;

  beforeAll(async () => {
    client = await SmbClient.connect({ host: domain.ip, credential: { username: 'alice', domain: domain.netbiosDomain, password: domain.password }, timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await client?.close();
  });

  it('lists what smbclient -L lists, $ shares only when asked', async () => {
    const expected = await smbclientShares(domain.ip, 445, `${domain.netbiosDomain}\\alice`, domain.password);
    const trace: Buffer[][] = [[], []];
    const all = await client.listShares({ includeHidden: true, trace: { sent: (b) => trace[0]?.push(b), received: (b) => trace[1]?.push(b) } satisfies RpcTrace });
    if (process.env.PORTCULLIS_DUMP_RPC) writeFileSync(process.env.PORTCULLIS_DUMP_RPC, JSON.stringify({ sent: trace[0]?.map((b) => b.toString('hex')), received: trace[1]?.map((b) => b.toString('hex')), all, expected }, null, 1));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect([...all].sort(byName)).toEqual([...expected].sort(byName));
    const names = all.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['netlogon', 'sysvol', ...Object.values(domain.shares), 'IPC$']));
    const visible = await client.listShares();
    expect(visible.map((s) => s.name).sort()).toEqual(names.filter((n) => !n.endsWith('$')).sort());
    expect(visible.find((s) => s.name === 'IPC$')).toBeUndefined();
  });

  it('reads the rest of a pipe message the transceive could not hold (STATUS_BUFFER_OVERFLOW, then READ)', async () => {
    const received: Buffer[] = [];
    const small = await client.listShares({ includeHidden: true, maxOutput: 64, trace: { sent: () => undefined, received: (b) => received.push(b) } });
    expect(received.length).toBeGreaterThan(3);
    expect(received.every((b) => b.length <= 64)).toBe(true);
    expect(small).toEqual(await client.listShares({ includeHidden: true }));
  });
});

/**
 * A standalone smbd with 120 shares with comments (some not ASCII): the answer is far above one 4280-byte
 * fragment, so the client must join fragments; and every name and comment must survive the NDR round trip.
 */
describe('share enumeration, a server with many shares', () => {
  const SHARES = Array.from({ length: 120 }, (_, i) => ({ name: `proj${String(i).padStart(3, '0')}`, comment: `Project ${i} — Größe ✓ ${'x'.repeat(1 + (i % 40))}` }));
  let server: SmbdFixture;
  let client: SmbClient;

  beforeAll(async () => {
    const extra = join(FIXTURE_ROOT, 'smbd-many-shares.conf');
    const dir = join(FIXTURE_ROOT, 'smbd-many-shares-root');
    mkdirSync(dir, { recursive: true });
    writeFileSync(extra, SHARES.map((s) => `[${s.name}]\n  path = ${dir}\n  comment = ${s.comment}\n  read only = yes\n`).join('\n'));
    // srvsvc on a standalone smbd is served by samba-dcerpcd, started on demand (stopByConfig stops it too).
    server = await startSmbd({ name: 'many-shares', port: 5300, settings: { 'rpc start on demand helpers': 'yes', include: extra } });
    client = await SmbClient.connect({ host: server.host, port: server.port, credential: { username: server.username, domain: server.domain, password: server.password }, timeoutMs: 15_000 });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('joins a multi-fragment answer and matches smbclient -L', async () => {
    const received: Buffer[] = [];
    const shares = await client.listShares({ trace: { sent: () => undefined, received: (b) => received.push(b) } });
    // More than one DCE/RPC response fragment came back: walk them by their frag_length.
    const bytes = Buffer.concat(received.slice(1));
    let fragments = 0;
    for (let at = 0; at < bytes.length; at += bytes.readUInt16LE(at + 8)) fragments++;
    expect(fragments).toBeGreaterThan(1);
    expect(shares).toEqual(expect.arrayContaining(SHARES.map((s) => ({ name: s.name, type: 'disk', comment: s.comment }))));
    const expected = (await smbclientShares(server.host, server.port, `${server.domain}\\${server.username}`, server.password)).filter((s) => !s.name.endsWith('$'));
    expect([...shares].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });
});
