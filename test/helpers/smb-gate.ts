// A loopback relay in front of a real SMB server that counts the client's QUERY_DIRECTORY requests and, from a
// chosen one on, holds every frame the client sends until released: a test can then act (abort an HTTP request)
// while the app's directory walk is provably waiting mid-way, and afterwards count what it still asked for.
import net from 'node:net';

const QUERY_DIRECTORY = 0x000e;
const SMB2_MAGIC = 0xfe534d42;

export interface SmbGate {
  port: number;
  /** QUERY_DIRECTORY requests the client has sent (held ones included). */
  readonly queries: number;
  /** Frames waiting behind the gate. */
  readonly held: number;
  /** Lets everything through from now on, held frames first. */
  release(): void;
  /** Holds again, from the client's `n`th QUERY_DIRECTORY counted from now (1: the next one). */
  holdFrom(n: number): void;
  close(): Promise<void>;
}

/** QUERY_DIRECTORY requests in one frame, following NextCommand through a compound (cleartext SMB2 only). */
function queriesIn(frame: Buffer): number {
  let n = 0;
  let at = 0;
  while (at + 64 <= frame.length && frame.readUInt32BE(at) === SMB2_MAGIC) {
    if (frame.readUInt16LE(at + 12) === QUERY_DIRECTORY) n++;
    const next = frame.readUInt32LE(at + 20);
    if (next === 0) break;
    at += next;
  }
  return n;
}

export async function startSmbGate(opts: { port: number; target: { host: string; port: number }; holdFromQuery: number }): Promise<SmbGate> {
  let queries = 0;
  let open = true;
  const sockets = new Set<net.Socket>();
  const waiting: { to: net.Socket; frame: Buffer }[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(opts.target.port, opts.target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readUIntBE(1, 3);
        if (pending.length < 4 + length) break;
        const frame = Buffer.from(pending.subarray(0, 4 + length));
        pending = pending.subarray(4 + length);
        queries += queriesIn(frame.subarray(4));
        if (open && queries >= opts.holdFromQuery && opts.holdFromQuery > 0) open = false;
        if (open) upstream.write(frame);
        else waiting.push({ to: upstream, frame });
      }
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    port: opts.port,
    get queries() {
      return queries;
    },
    get held() {
      return waiting.length;
    },
    release() {
      open = true;
      opts.holdFromQuery = 0;
      for (const { to, frame } of waiting.splice(0)) to.write(frame);
    },
    holdFrom(n: number) {
      opts.holdFromQuery = queries + n;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
