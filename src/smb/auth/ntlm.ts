import { createHmac, randomBytes } from 'node:crypto';
import { md4 } from '../crypto/md4.js';
import { rc4 } from '../crypto/rc4.js';

/**
 * NTLMv2 computations, MS-NLMP 3.3.2. The caller may hold the NTOWFv2 key
 * instead of the password (we store that, never the password itself).
 */
export type NtlmCredential =
  | { username: string; domain: string; password: string }
  | { username: string; domain: string; ntowfv2: Buffer };

function hmacMd5(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

export function ntowfv2(password: string, username: string, domain: string): Buffer {
  return ntowfv2FromHash(ntHash(password), username, domain);
}

export function ntowfv2FromHash(hash: Buffer, username: string, domain: string): Buffer {
  // Only the user name is upper-cased; the domain goes in as typed.
  return hmacMd5(hash, Buffer.from(username.toUpperCase() + domain, 'utf16le'));
}

/** ResponseKeyNT; for NTLMv2 ResponseKeyLM is the same value. */
export function responseKey(credential: NtlmCredential): Buffer {
  if ('ntowfv2' in credential) {
    if (credential.ntowfv2.length !== 16) throw new RangeError('an NTOWFv2 key is 16 bytes');
    return credential.ntowfv2;
  }
  return ntowfv2(credential.password, credential.username, credential.domain);
}

/** Windows FILETIME: 100 ns ticks since 1601-01-01, as 8 bytes little-endian. */
export function fileTime(date: Date): Buffer {
  const ticks = (BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(ticks);
  return out;
}

/**
 * The NTLMv2_CLIENT_CHALLENGE ("temp" in MS-NLMP 3.3.2): version 1/1, zeros,
 * timestamp, client challenge, zeros, the AV pairs (ending in MsvAvEOL), and
 * four trailing zero bytes.
 */
export function ntlmv2ClientChallenge(timestamp: Buffer, clientChallenge: Buffer, avPairs: Buffer): Buffer {
  if (timestamp.length !== 8 || clientChallenge.length !== 8) throw new RangeError('timestamp and client challenge are 8 bytes each');
  const head = Buffer.alloc(28);
  head[0] = 1;
  head[1] = 1;
  timestamp.copy(head, 8);
  clientChallenge.copy(head, 16);
  return Buffer.concat([head, avPairs, Buffer.alloc(4)]);
}

export interface Ntlmv2Response {
  ntProofStr: Buffer;
  /** NtChallengeResponse = NTProofStr || temp. */
  ntChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
}

export function ntlmv2Response(responseKeyNT: Buffer, serverChallenge: Buffer, clientChallengeBlob: Buffer): Ntlmv2Response {
  const ntProofStr = hmacMd5(responseKeyNT, serverChallenge, clientChallengeBlob);
  return {
    ntProofStr,
    ntChallengeResponse: Buffer.concat([ntProofStr, clientChallengeBlob]),
    sessionBaseKey: hmacMd5(responseKeyNT, ntProofStr),
  };
}

export function lmv2Response(responseKeyLM: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
  return Buffer.concat([hmacMd5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge]);
}

export interface KeyExchange {
  exportedSessionKey: Buffer;
  /** Empty when no key exchange was negotiated. */
  encryptedRandomSessionKey: Buffer;
}

/**
 * MS-NLMP 3.1.5.1.2. For NTLMv2 the key-exchange key is the session base key.
 * With key exchange the exported key is fresh randomness, so the SMB keys do
 * not follow from the password and the challenge alone.
 */
export function exchangeKey(keyExchangeKey: Buffer, keyExchange: boolean, random: Buffer = randomBytes(16)): KeyExchange {
  if (!keyExchange) return { exportedSessionKey: Buffer.from(keyExchangeKey), encryptedRandomSessionKey: Buffer.alloc(0) };
  if (random.length !== 16) throw new RangeError('the random session key is 16 bytes');
  return { exportedSessionKey: Buffer.from(random), encryptedRandomSessionKey: rc4(keyExchangeKey, random) };
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE-with-zero-MIC). */
export function messageIntegrityCode(
  exportedSessionKey: Buffer,
  negotiate: Buffer,
  challenge: Buffer,
  authenticateWithZeroMic: Buffer,
): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticateWithZeroMic);
}
