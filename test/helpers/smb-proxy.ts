// A man in the middle for SMB tests: a relay (smb-relay.ts) that lets a test rewrite whole frames on the way,
// e.g. strip a signature the way an attacker would.
import { type Direction, type SmbRelay, startSmbRelay } from './smb-relay.js';

export type { Direction };
/** Gets each whole SMB frame (without its 4-byte NetBIOS header) and returns what to pass on. */
export type FrameRewrite = (frame: Buffer, direction: Direction) => Buffer;

export type SmbProxy = SmbRelay;

export function startSmbProxy(opts: { port: number; target: { host: string; port: number }; rewrite: FrameRewrite }): Promise<SmbProxy> {
  return startSmbRelay({ port: opts.port, target: opts.target, onFrame: (frame, direction, forward) => forward(opts.rewrite(frame, direction)) });
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
