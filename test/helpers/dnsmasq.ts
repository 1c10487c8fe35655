// A real DNS server for tests (Debian's dnsmasq-base): started on the test domain's loopback address and a port of its
// own, answering only what the test gives it (SRV and host records) and NXDOMAIN for every other name under `test`.
// --log-queries shows which names were asked for. Also a "black hole": a UDP port that takes queries and never answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SrvSpec {
  /** e.g. _kerberos._tcp.example.test */
  name: string;
  /** Omitted: "no such service" (target "."). */
  target?: string;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface DnsServer {
  /** As KRB_DNS_SERVERS takes it: "ip:port". */
  server: string;
  /** Every question dnsmasq logged so far, e.g. "query[SRV] _kerberos._tcp.EXAMPLE.TEST from 127.0.0.81". */
  queries(): string[];
  stop(): Promise<void>;
}

/** A UDP port on `ip` that was free a moment ago (dnsmasq binds UDP and TCP on it; a tiny race is accepted). */
async function freeUdpPort(ip: string): Promise<number> {
  const probe = createSocket('udp4');
  probe.bind(0, ip);
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `port`: one of the test's choosing (e.g. where an earlier instance was); otherwise a free one. */
export async function startDnsmasq(ip: string, records: { srv?: SrvSpec[]; hosts?: Record<string, string>; port?: number }): Promise<DnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pc-dnsmasq-'));
  const port = records.port ?? (await freeUdpPort(ip));
  const args = [
    '--no-daemon',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    `--port=${port}`,
    `--listen-address=${ip}`,
    '--bind-interfaces',
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    // Names under `test` are answered from the records below or with NXDOMAIN, never forwarded (there is nowhere to).
    '--local=/test/',
    '--log-queries',
    '--log-facility=-',
    ...(records.srv ?? []).map((s) =>
      s.target === undefined ? `--srv-host=${s.name}` : `--srv-host=${s.name},${s.target},${s.port ?? 88},${s.priority ?? 0},${s.weight ?? 0}`,
    ),
    ...Object.entries(records.hosts ?? {}).map(([name, address]) => `--host-record=${name},${address}`),
  ];
  const child: ChildProcess = spawn('dnsmasq', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = once(child, 'exit');
  let gone = false;
  void exited.then(() => (gone = true));
  const server = `${ip}:${port}`;
  const stop = async (): Promise<void> => {
    if (!gone) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it answers (NXDOMAIN for a name it does not have is an answer).
  const probe = new Resolver({ timeout: 500, tries: 1 });
  probe.setServers([server]);
  for (let i = 0; ; i++) {
    if (gone) throw new Error(`dnsmasq exited at start:\n${out}`);
    try {
      await probe.resolve4('ready.probe.test');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTFOUND') break;
      if (i >= 100) {
        await stop();
        throw new Error(`dnsmasq on ${server} did not answer:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    server,
    queries: () => out.split('\n').filter((l) => /\bquery\[/.test(l)).map((l) => l.replace(/^.*?(query\[)/, '$1')),
    stop,
  };
}

export interface BlackHole {
  server: string;
  /** Queries received (none is ever answered). */
  received(): number;
  stop(): Promise<void>;
}

/** A DNS server that never answers: what a firewalled or overloaded DNS looks like to a client. */
export async function startBlackHole(ip: string): Promise<BlackHole> {
  const socket: Socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => count++);
  socket.bind(0, ip);
  await once(socket, 'listening');
  return {
    server: `${ip}:${socket.address().port}`,
    received: () => count,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
