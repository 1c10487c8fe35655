// A man in the middle for SMB tests: forwards loopback connections to a real server and lets a test
// rewrite whole NetBIOS frames on the way, e.g. strip a signature the way an attacker would.
import net from 'node:net';

export type Direction = 'toServer' | 'toClient';
/** Gets each whole SMB frame (without its 4-byte NetBIOS header) and returns what to pass on. */
export type FrameRewrite = (frame: Buffer, direction: Direction) => Buffer;

export interface SmbProxy {
  port: number;
  close(): Promise<void>;
}

export async function startSmbProxy(opts: { port: number; target: { host: string; port: number }; rewrite: FrameRewrite }): Promise<SmbProxy> {
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
    relay(client, upstream, 'toServer', opts.rewrite);
    relay(upstream, client, 'toClient', opts.rewrite);
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

function relay(from: net.Socket, to: net.Socket, direction: Direction, rewrite: FrameRewrite): void {
  let pending = Buffer.alloc(0);
  from.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUIntBE(1, 3);
      if (pending.length < 4 + length) break;
      const frame = rewrite(Buffer.from(pending.subarray(4, 4 + length)), direction);
      const header = Buffer.alloc(4);
      header.writeUIntBE(frame.length, 1, 3);
      to.write(Buffer.concat([header, frame]));
      pending = pending.subarray(4 + length);
    }
  });
  from.on('end', () => to.end());
}

const HEADER = 64;
const NEGOTIATE = 0x0000;
const SESSION_SETUP = 0x0001;
const SIGNED = 0x08;
const SIGNING_REQUIRED = 0x02;

/** Clears SMB2_FLAGS_SIGNED and the signature of the successful SESSION_SETUP response, as an attacker would. */
export const stripFinalSignature: FrameRewrite = (frame, direction) => {
  if (direction === 'toClient' && frame.readUInt16LE(12) === SESSION_SETUP && frame.readUInt32LE(8) === 0) {
    frame.writeUInt32LE(frame.readUInt32LE(16) & ~SIGNED, 16);
    frame.fill(0, 48, 64);
  }
  return frame;
};

/**
 * A legacy server that never signs: besides the unsigned final response, the client's SIGNING_REQUIRED
 * never reaches the smbd, so it does not insist on signatures either. Only meaningful for SMB 2.x, where
 * nothing authenticates the NEGOTIATE exchange afterwards.
 */
export const legacyUnsignedServer: FrameRewrite = (frame, direction) => {
  if (direction === 'toServer' && frame.readUInt16LE(12) === NEGOTIATE) {
    frame.writeUInt16LE(frame.readUInt16LE(HEADER + 4) & ~SIGNING_REQUIRED, HEADER + 4);
  }
  if (direction === 'toServer' && frame.readUInt16LE(12) === SESSION_SETUP) {
    frame.writeUInt8(frame.readUInt8(HEADER + 3) & ~SIGNING_REQUIRED, HEADER + 3);
  }
  return stripFinalSignature(frame, direction);
};
