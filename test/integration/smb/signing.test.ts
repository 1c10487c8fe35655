// The SMB client signs every request after SESSION_SETUP even when the server would not insist
// (`server signing = auto`), proven from a tcpdump capture of the real traffic; and it refuses a session
// whose final SESSION_SETUP response a man in the middle stripped of its signature.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { Command, Dialect, SecurityMode } from '../../../src/smb/messages/constants.js';
import { SmbIntegrityError, SmbUnsignedSessionError } from '../../../src/smb/index.js';
import { parsePcap, tcpStreams } from '../../helpers/pcap.js';
import { isInterim, isSigned, smb2Messages, type WireMessage } from '../../helpers/smb2-wire.js';
import { startCapture } from '../../helpers/tcpdump.js';
import { legacyUnsignedServer, startSmbProxy, stripFinalSignature, type FrameRewrite } from '../../helpers/smb-proxy.js';
import { connect } from './helpers.js';
import { Connection } from '../../../src/smb/connection.js';
import { Session } from '../../../src/smb/session.js';

const SMBD_PORT = 4620;
const PROXY_PORT = 4621;
const ENCRYPTED_PORT = 4623;
const HEADER = 64;

const DIALECTS = [
  { name: '2.0.2', code: Dialect.SMB2_0_2, signing: 'HMAC-SHA256' },
  { name: '2.1', code: Dialect.SMB2_1, signing: 'HMAC-SHA256' },
  { name: '3.0', code: Dialect.SMB3_0, signing: 'AES-CMAC' },
  { name: '3.0.2', code: Dialect.SMB3_0_2, signing: 'AES-CMAC' },
  { name: '3.1.1', code: Dialect.SMB3_1_1, signing: 'AES-GMAC' },
] as const;

/** The client closed its connection to `port`: the capture holds every request it sent. */
const clientClosed = (pcap: Buffer, port: number): boolean => parsePcap(pcap).some((s) => s.fin && s.dstPort === port);

/** The messages each side sent on the one connection to the smbd on `port` in `pcap`. */
function conversation(pcap: Buffer, port = SMBD_PORT): { requests: WireMessage[]; responses: WireMessage[] } {
  const streams = tcpStreams(parsePcap(pcap)).filter((s) => s.data.length > 0);
  const toServer = streams.filter((s) => s.dstPort === port);
  const toClient = streams.filter((s) => s.srcPort === port);
  if (toServer.length !== 1 || toClient.length !== 1) throw new Error(`expected one connection, saw ${toServer.length} and ${toClient.length} streams`);
  return { requests: smb2Messages(toServer[0]!.data), responses: smb2Messages(toClient[0]!.data) };
}

describe('signing against an smbd with server signing = auto', () => {
  let f: SmbdFixture;
  let work: string;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-signing-auto', port: SMBD_PORT, settings: { 'server signing': 'auto' } });
    work = mkdtempSync(join(tmpdir(), 'portcullis-pcap-'));
  });
  afterAll(async () => {
    await f?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it.each(DIALECTS)('SMB $name: every request after SESSION_SETUP carries SMB2_FLAGS_SIGNED on the wire', async (d) => {
    const capture = await startCapture(join(work, `${d.name}.pcap`), `tcp port ${SMBD_PORT}`);
    let pcap: Buffer;
    try {
      const client = await connect(f, { dialects: [d.code] });
      try {
        expect(client.dialect).toBe(d.name);
        expect(client.signingAlgorithm).toBe(d.signing);
        await client.mkdir(`dir-${d.name}`);
        await client.writeFile(`dir-${d.name}/a.txt`, 'x'.repeat(200_000));
        expect((await client.readFile(`dir-${d.name}/a.txt`)).length).toBe(200_000);
        await client.rename(`dir-${d.name}/a.txt`, `dir-${d.name}/b.txt`);
        expect((await client.readdir(`dir-${d.name}`)).map((e) => e.name)).toEqual(['b.txt']);
        expect((await client.stat(`dir-${d.name}/b.txt`)).size).toBe(200_000);
        await client.rm(`dir-${d.name}`, { recursive: true });
      } finally {
        await client.close();
      }
    } finally {
      pcap = await capture.stop({ until: (bytes) => clientClosed(bytes, SMBD_PORT) });
    }

    const { requests, responses } = conversation(pcap);
    const negotiate = requests.find((m) => m.command === Command.NEGOTIATE)!;
    expect(negotiate.bytes.readUInt16LE(HEADER + 4) & SecurityMode.SIGNING_REQUIRED).toBe(SecurityMode.SIGNING_REQUIRED);
    const lastSetup = requests.findLastIndex((m) => m.command === Command.SESSION_SETUP);
    expect(requests[lastSetup]!.bytes.readUInt8(HEADER + 3) & SecurityMode.SIGNING_REQUIRED).toBe(SecurityMode.SIGNING_REQUIRED);
    const finalSetup = responses.findLast((m) => m.command === Command.SESSION_SETUP)!;
    expect(finalSetup.status).toBe(0);
    expect(isSigned(finalSetup)).toBe(true);

    const after = requests.slice(lastSetup + 1);
    const commands = new Set(after.map((m) => m.command));
    for (const c of [Command.TREE_CONNECT, Command.CREATE, Command.WRITE, Command.READ, Command.QUERY_DIRECTORY, Command.SET_INFO, Command.CLOSE, Command.TREE_DISCONNECT, Command.LOGOFF]) {
      expect(commands, `command 0x${c.toString(16)} was sent`).toContain(c);
    }
    expect(after.filter((m) => m.encrypted)).toEqual([]);
    const unsigned = after.filter((m) => !isSigned(m)).map((m) => `command 0x${m.command.toString(16)} message ${m.messageId}`);
    expect(unsigned).toEqual([]);
    // The server answers signed requests with signed responses (interim STATUS_PENDING aside).
    const unsignedReplies = responses.filter((m) => m.sessionId !== 0n && m.command !== Command.SESSION_SETUP && !isInterim(m) && !isSigned(m));
    expect(unsignedReplies.map((m) => `command 0x${m.command.toString(16)} message ${m.messageId}`)).toEqual([]);
  });

  it('the keepalive ECHO of an idle connection rides on the session, signed', async () => {
    const capture = await startCapture(join(work, 'keepalive.pcap'), `tcp port ${SMBD_PORT}`);
    const conn = await Connection.connect({ host: f.host, port: f.port, keepaliveMs: 200 });
    let pcap: Buffer | undefined;
    try {
      const session = await Session.setup(conn, { credential: { username: f.username, domain: f.domain, password: f.password } });
      pcap = await capture.stop({ until: (bytes) => conversation(bytes).responses.some((m) => m.command === Command.ECHO) });
      await session.logoff();
    } finally {
      conn.close();
      if (pcap === undefined) await capture.stop();
    }
    const echoes = conversation(pcap).requests.filter((m) => m.command === Command.ECHO);
    expect(echoes.length).toBeGreaterThan(0);
    for (const echo of echoes) {
      expect(echo.sessionId).not.toBe(0n);
      expect(isSigned(echo)).toBe(true);
    }
  });
});

describe('encryption in place of signing, against an smbd with server smb encrypt = required', () => {
  let f: SmbdFixture;
  let work: string;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-signing-encrypted', port: ENCRYPTED_PORT, settings: { 'server smb encrypt': 'required' } });
    work = mkdtempSync(join(tmpdir(), 'portcullis-pcap-'));
  });
  afterAll(async () => {
    await f?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it.each(DIALECTS.filter((d) => d.code >= Dialect.SMB3_0))('SMB $name: a signed final SESSION_SETUP, then every request encrypted', async (d) => {
    const capture = await startCapture(join(work, `${d.name}.pcap`), `tcp port ${ENCRYPTED_PORT}`);
    let pcap: Buffer;
    try {
      const client = await connect(f, { dialects: [d.code] });
      try {
        expect(client.dialect).toBe(d.name);
        expect(client.cipher).toMatch(/^AES-(128|256)-(GCM|CCM)$/);
        await client.writeFile(`enc-${d.name}.txt`, 'secret');
        expect((await client.readFile(`enc-${d.name}.txt`)).toString()).toBe('secret');
        await client.rm(`enc-${d.name}.txt`);
      } finally {
        await client.close();
      }
    } finally {
      pcap = await capture.stop({ until: (bytes) => clientClosed(bytes, ENCRYPTED_PORT) });
    }
    const { requests, responses } = conversation(pcap, ENCRYPTED_PORT);
    const finalSetup = responses.findLast((m) => !m.encrypted && m.command === Command.SESSION_SETUP)!;
    expect(finalSetup.status).toBe(0);
    expect(isSigned(finalSetup)).toBe(true);
    const after = requests.slice(requests.findLastIndex((m) => !m.encrypted && m.command === Command.SESSION_SETUP) + 1);
    expect(after.length).toBeGreaterThanOrEqual(8);
    expect(after.filter((m) => !m.encrypted).map((m) => `command 0x${m.command.toString(16)}`)).toEqual([]);
  });
});

describe('a final SESSION_SETUP response without its signature', () => {
  let f: SmbdFixture;
  let rewrite: FrameRewrite = stripFinalSignature;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-signing-mitm', port: SMBD_PORT + 2, settings: { 'server signing': 'auto' } });
  });
  afterAll(async () => {
    await f?.stop();
  });

  async function throughProxy<T>(fn: (port: number) => Promise<T>): Promise<T> {
    const proxy = await startSmbProxy({ port: PROXY_PORT, target: { host: f.host, port: f.port }, rewrite: (frame, dir) => rewrite(frame, dir) });
    try {
      return await fn(proxy.port);
    } finally {
      await proxy.close();
    }
  }

  it('is refused on SMB 3.1.1, 3.0.2 and 3.0, even with unsigned sessions allowed', async () => {
    rewrite = stripFinalSignature;
    for (const dialect of [Dialect.SMB3_1_1, Dialect.SMB3_0_2, Dialect.SMB3_0]) {
      const err = await throughProxy((port) => connect(f, { port, dialects: [dialect], allowUnsigned: true })).catch((e: unknown) => e);
      expect(err, `dialect 0x${dialect.toString(16)}`).toBeInstanceOf(SmbIntegrityError);
      expect(err).not.toBeInstanceOf(SmbUnsignedSessionError);
      expect((err as Error).message).toMatch(/final SESSION_SETUP response is unsigned/);
    }
  });

  it('is refused on SMB 2.1 and 2.0.2 with a typed error unless unsigned sessions are allowed', async () => {
    rewrite = stripFinalSignature;
    for (const dialect of [Dialect.SMB2_1, Dialect.SMB2_0_2]) {
      const err = await throughProxy((port) => connect(f, { port, dialects: [dialect] })).catch((e: unknown) => e);
      expect(err, `dialect 0x${dialect.toString(16)}`).toBeInstanceOf(SmbUnsignedSessionError);
      expect((err as Error).message).toMatch(/would not sign the SMB 2\.x session/);
    }
  });

  it('with unsigned sessions allowed, a legacy SMB 2.1 server that never signs still works, unsigned', async () => {
    rewrite = legacyUnsignedServer;
    await throughProxy(async (port) => {
      const client = await connect(f, { port, dialects: [Dialect.SMB2_1], allowUnsigned: true });
      try {
        expect(client.dialect).toBe('2.1');
        expect(client.signingAlgorithm).toBeUndefined();
        await client.writeFile('legacy.txt', 'unsigned but allowed');
        expect((await client.readFile('legacy.txt')).toString()).toBe('unsigned but allowed');
      } finally {
        await client.close();
      }
    });
  });

  it('allowing unsigned sessions does not stop signing with a server that signs', async () => {
    const client = await connect(f, { dialects: [Dialect.SMB2_1], allowUnsigned: true });
    try {
      expect(client.signingAlgorithm).toBe('HMAC-SHA256');
      expect(await client.exists('nothing-here')).toBe(false);
    } finally {
      await client.close();
    }
  });
});
