// A loopback relay in front of a real SMB server for search-cancellation tests. It counts the commands the
// client sends (QUERY_DIRECTORY, CANCEL: seen on the wire, so the app's own counters are checked against what
// really left it) and, once armed, holds the server's replies: the requests reach the server, but to the client
// they stay in flight for as long as the test wants, as on a slow file server. Cleartext SMB2 only (signed is
// fine; an encrypted session hides the commands).
import net from 'node:net';

const SMB2_MAGIC = 0xfe534d42;
export const Cmd = { QUERY_DIRECTORY: 0x000e, CANCEL: 0x000c } as const;

export interface SmbReplyGate {
  port: number;
  /** Commands the client has sent so far, by command code. */
  sent(command: number): number;
  /** Replies waiting behind the gate. */
  readonly held: number;
  /** Holds every server→client frame from now on. */
  hold(): void;
  /** Holds every server→client frame once the client has sent its `n`th QUERY_DIRECTORY (the reply to it included). */
  holdFromQuery(n: number): void;
  /** Lets everything through again, held frames first. */
  release(): void;
  close(): Promise<void>;
}

function commandsIn(frame: Buffer, counts: Map<number, number>): void {
  let at = 0;
  while (at + 64 <= frame.length && frame.readUInt32BE(at) === SMB2_MAGIC) {
    const command = frame.readUInt16LE(at + 12);
    counts.set(command, (counts.get(command) ?? 0) + 1);
    const next = frame.readUInt32LE(at + 20);
    if (next === 0) break;
    at += next;
  }
}

/** Splits a byte stream into whole NetBIOS frames (4-byte header included). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUIntBE(1, 3);
      if (pending.length < 4 + length) break;
      onFrame(Buffer.from(pending.subarray(0, 4 + length)));
      pending = pending.subarray(4 + length);
    }
  };
}

export async function startSmbReplyGate(opts: { port: number; target: { host: string; port: number } }): Promise<SmbReplyGate> {
  const counts = new Map<number, number>();
  let holding = false;
  let holdAt = Infinity;
  const waiting: { to: net.Socket; frame: Buffer }[] = [];
  const sockets = new Set<net.Socket>();
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
    client.on(
      'data',
      framer((frame) => {
        commandsIn(frame.subarray(4), counts);
        // Armed before the frame goes on, so the server's reply to it is already held.
        if ((counts.get(Cmd.QUERY_DIRECTORY) ?? 0) >= holdAt) holding = true;
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      framer((frame) => {
        if (holding) waiting.push({ to: client, frame });
        else client.write(frame);
      }),
    );
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    port: opts.port,
    sent: (command) => counts.get(command) ?? 0,
    get held() {
      return waiting.length;
    },
    hold() {
      holding = true;
    },
    holdFromQuery(n) {
      holdAt = n;
    },
    release() {
      holding = false;
      holdAt = Infinity;
      for (const { to, frame } of waiting.splice(0)) to.write(frame);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
