// One loopback relay in front of a real SMB server, for tests that must see, hold or rewrite what crosses the
// wire. It cuts both byte streams into whole SMB frames (NetBIOS session framing) and hands each to the test's
// hook with a `forward` function: forward now, later (hold), or a rewritten frame. The gates and the man in the
// middle in smb-gate.ts, smb-reply-gate.ts and smb-proxy.ts are hooks on this relay.
import net from 'node:net';

export type Direction = 'toServer' | 'toClient';

/** Gets each whole SMB frame (without its 4-byte NetBIOS header); must call `forward` once, now or later. */
export type FrameHook = (frame: Buffer, direction: Direction, forward: (frame: Buffer) => void) => void;

export interface SmbRelay {
  port: number;
  close(): Promise<void>;
}

const SMB2_MAGIC = 0xfe534d42;

/** The command codes of the SMB2 requests or responses in one frame, following NextCommand through a compound (cleartext SMB2 only). */
export function commandsIn(frame: Buffer): number[] {
  const commands: number[] = [];
  let at = 0;
  while (at + 64 <= frame.length && frame.readUInt32BE(at) === SMB2_MAGIC) {
    commands.push(frame.readUInt16LE(at + 12));
    const next = frame.readUInt32LE(at + 20);
    if (next === 0) break;
    at += next;
  }
  return commands;
}

export async function startSmbRelay(opts: { port: number; target: { host: string; port: number }; onFrame: FrameHook }): Promise<SmbRelay> {
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
    relay(client, upstream, 'toServer', opts.onFrame);
    relay(upstream, client, 'toClient', opts.onFrame);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    port: opts.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function relay(from: net.Socket, to: net.Socket, direction: Direction, onFrame: FrameHook): void {
  const forward = (frame: Buffer): void => {
    const header = Buffer.alloc(4);
    header.writeUIntBE(frame.length, 1, 3);
    to.write(Buffer.concat([header, frame]));
  };
  let pending = Buffer.alloc(0);
  from.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUIntBE(1, 3);
      if (pending.length < 4 + length) break;
      // A copy: a held frame must not change when `pending` is reused.
      onFrame(Buffer.from(pending.subarray(4, 4 + length)), direction, forward);
      pending = pending.subarray(4 + length);
    }
  });
  from.on('end', () => to.end());
}
