import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Rc4 } from '../crypto/rc4.js';
import { NegotiateFlag, hasFlag } from './ntlm-flags.js';

/**
 * NTLM session security with extended session security (MS-NLMP 3.4).
 * SMB needs it for one thing: the SPNEGO mechListMIC.
 */

const MAGIC = {
  clientSign: 'session key to client-to-server signing key magic constant\0',
  serverSign: 'session key to server-to-client signing key magic constant\0',
  clientSeal: 'session key to client-to-server sealing key magic constant\0',
  serverSeal: 'session key to server-to-client sealing key magic constant\0',
} as const;

export type NtlmDirection = 'client-to-server' | 'server-to-client';

const SIGNATURE_VERSION = 1;
const SIGNATURE_LENGTH = 16;

function md5(...parts: Buffer[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function signingKey(exportedSessionKey: Buffer, direction: NtlmDirection): Buffer {
  const magic = direction === 'client-to-server' ? MAGIC.clientSign : MAGIC.serverSign;
  return md5(exportedSessionKey, Buffer.from(magic, 'latin1'));
}

export function sealingKey(exportedSessionKey: Buffer, flags: number, direction: NtlmDirection): Buffer {
  // SEALKEY weakens the key to 56 or 40 bits unless 128-bit was negotiated.
  const keyLength = hasFlag(flags, NegotiateFlag.NEGOTIATE_128) ? 16 : hasFlag(flags, NegotiateFlag.NEGOTIATE_56) ? 7 : 5;
  const magic = direction === 'client-to-server' ? MAGIC.clientSeal : MAGIC.serverSeal;
  return md5(exportedSessionKey.subarray(0, keyLength), Buffer.from(magic, 'latin1'));
}

/**
 * MAC with extended session security (MS-NLMP 3.4.4.2): version 1, the first
 * 8 bytes of HMAC_MD5(SigningKey, SeqNum || Message) (RC4-sealed when key
 * exchange was negotiated), then SeqNum.
 */
export function ntlmMac(signKey: Buffer, sealer: Rc4 | undefined, sequenceNumber: number, message: Buffer): Buffer {
  const seq = Buffer.alloc(4);
  seq.writeUInt32LE(sequenceNumber >>> 0);
  const digest = createHmac('md5', signKey).update(seq).update(message).digest().subarray(0, 8);
  const checksum = sealer ? sealer.update(digest) : digest;
  const signature = Buffer.alloc(SIGNATURE_LENGTH);
  signature.writeUInt32LE(SIGNATURE_VERSION, 0);
  checksum.copy(signature, 4);
  seq.copy(signature, 12);
  return signature;
}

interface DirectionState {
  signKey: Buffer;
  rc4: Rc4;
  sequence: number;
}

/**
 * One side's view of an NTLM security context: outgoing messages use this
 * side's keys, incoming ones the peer's. Each direction has its own RC4
 * stream and sequence number, both continuing across calls.
 */
export class NtlmSessionSecurity {
  private readonly outgoing: DirectionState;
  private readonly incoming: DirectionState;
  private readonly keyExchange: boolean;

  constructor(exportedSessionKey: Buffer, flags: number, role: 'client' | 'server' = 'client') {
    if (!hasFlag(flags, NegotiateFlag.EXTENDED_SESSIONSECURITY)) {
      throw new RangeError('NTLM session security without extended session security is not supported');
    }
    this.keyExchange = hasFlag(flags, NegotiateFlag.KEY_EXCH);
    const state = (direction: NtlmDirection): DirectionState => ({
      signKey: signingKey(exportedSessionKey, direction),
      rc4: new Rc4(sealingKey(exportedSessionKey, flags, direction)),
      sequence: 0,
    });
    const mine: NtlmDirection = role === 'client' ? 'client-to-server' : 'server-to-client';
    const theirs: NtlmDirection = role === 'client' ? 'server-to-client' : 'client-to-server';
    this.outgoing = state(mine);
    this.incoming = state(theirs);
  }

  private mac(state: DirectionState, message: Buffer): Buffer {
    const signature = ntlmMac(state.signKey, this.keyExchange ? state.rc4 : undefined, state.sequence, message);
    state.sequence = (state.sequence + 1) >>> 0;
    return signature;
  }

  /** GSS_GetMICEx: the 16-byte signature of `message`. */
  sign(message: Buffer): Buffer {
    return this.mac(this.outgoing, message);
  }

  /** GSS_VerifyMICEx, in constant time. */
  verify(message: Buffer, signature: Buffer): boolean {
    const expected = this.mac(this.incoming, message);
    return signature.length === SIGNATURE_LENGTH && timingSafeEqual(expected, signature);
  }

  /** GSS_WrapEx: encrypt, then MAC the plaintext on the same RC4 stream. */
  seal(message: Buffer): { sealed: Buffer; signature: Buffer } {
    const sealed = this.outgoing.rc4.update(message);
    return { sealed, signature: this.mac(this.outgoing, message) };
  }

  /** GSS_UnwrapEx; returns undefined when the signature does not match. */
  unseal(sealed: Buffer, signature: Buffer): Buffer | undefined {
    const message = this.incoming.rc4.update(sealed);
    return this.verify(message, signature) ? message : undefined;
  }
}
