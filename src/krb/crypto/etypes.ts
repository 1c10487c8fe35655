import { createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual, createCipheriv } from 'node:crypto';
import { ctsDecrypt, ctsEncrypt } from './aes-cts.js';
import { nfold } from './nfold.js';
import { KrbCryptoError } from '../errors.js';

/** Kerberos encryption types (RFC 3961 section 8, RFC 3962, RFC 4757). */
export const EncType = {
  AES128_CTS_HMAC_SHA1_96: 17,
  AES256_CTS_HMAC_SHA1_96: 18,
  RC4_HMAC: 23,
} as const;

/** Checksum types of the AES profiles (RFC 3962 section 7). */
export const ChecksumType = {
  HMAC_SHA1_96_AES128: 15,
  HMAC_SHA1_96_AES256: 16,
} as const;

export interface Key {
  etype: number;
  value: Buffer;
}

const DEFAULT_ITERATIONS = 4096;
/** MIT refuses more; a KDC asking for more is broken or hostile (each one costs an HMAC). */
const MAX_ITERATIONS = 0xffffff;
const CONFOUNDER = 16;
const MAC = 12;

export interface AesProfile {
  etype: number;
  checksumType: number;
  keyBytes: number;
}

const PROFILES: Record<number, AesProfile> = {
  [EncType.AES128_CTS_HMAC_SHA1_96]: { etype: 17, checksumType: 15, keyBytes: 16 },
  [EncType.AES256_CTS_HMAC_SHA1_96]: { etype: 18, checksumType: 16, keyBytes: 32 },
};

export function isSupportedEtype(etype: number): boolean {
  return PROFILES[etype] !== undefined;
}

export function profile(etype: number): AesProfile {
  const p = PROFILES[etype];
  if (!p) {
    throw new KrbCryptoError(
      etype === EncType.RC4_HMAC
        ? 'RC4-HMAC (etype 23) is not implemented: only aes256/aes128-cts-hmac-sha1-96 are supported'
        : `encryption type ${etype} is not supported`,
    );
  }
  return p;
}

/** DR then random-to-key (the identity for AES): RFC 3961 section 5.1. */
export function deriveKey(base: Uint8Array, constant: Uint8Array): Buffer {
  const cipher = `aes-${base.length * 8}-ecb`;
  const out: Buffer[] = [];
  let block = nfold(constant, 16);
  for (let have = 0; have < base.length; have += 16) {
    block = createCipheriv(cipher, base, null).setAutoPadding(false).update(block);
    out.push(block);
  }
  return Buffer.concat(out).subarray(0, base.length);
}

function usageConstant(usage: number, suffix: number): Buffer {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(usage >>> 0);
  c[4] = suffix;
  return c;
}

/** The iteration count from ETYPE-INFO2 s2kparams: 4 bytes big-endian, 4096 when absent. */
export function iterationsFrom(s2kparams: Uint8Array | undefined): number {
  if (s2kparams === undefined || s2kparams.length === 0) return DEFAULT_ITERATIONS;
  if (s2kparams.length !== 4) throw new KrbCryptoError('s2kparams must be 4 bytes for AES');
  const n = Buffer.from(s2kparams).readUInt32BE(0);
  if (n === 0 || n > MAX_ITERATIONS) throw new KrbCryptoError(`unreasonable string-to-key iteration count ${n}`);
  return n;
}

/** RFC 3962 section 4: PBKDF2-HMAC-SHA1 over the password and salt, then DK(tkey, "kerberos"). */
export function stringToKey(etype: number, password: string, salt: Uint8Array | string, iterations: number = DEFAULT_ITERATIONS): Key {
  const p = profile(etype);
  const tkey = pbkdf2Sync(Buffer.from(password, 'utf8'), typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt, iterations, p.keyBytes, 'sha1');
  return { etype, value: deriveKey(tkey, Buffer.from('kerberos')) };
}

/**
 * stringToKey on libuv's thread pool: PBKDF2's 8,192 HMACs for an AES-256 key are 1–3 ms of CPU, which a sign-in
 * storm should not spend on the main thread (it serialises every request); the pool runs them on the other cores.
 */
export function stringToKeyAsync(etype: number, password: string, salt: Uint8Array | string, iterations: number = DEFAULT_ITERATIONS): Promise<Key> {
  const p = profile(etype);
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt, iterations, p.keyBytes, 'sha1', (err, tkey) => {
      if (err) reject(err);
      else resolve({ etype, value: deriveKey(tkey, Buffer.from('kerberos')) });
    });
  });
}

/** RFC 3961 simplified profile: confounder | plaintext, AES-CTS under Ke, HMAC-SHA1-96 under Ki. */
export function encrypt(key: Key, usage: number, plaintext: Uint8Array, confounder: Buffer = randomBytes(CONFOUNDER)): Buffer {
  profile(key.etype);
  const ke = deriveKey(key.value, usageConstant(usage, 0xaa));
  const ki = deriveKey(key.value, usageConstant(usage, 0x55));
  const data = Buffer.concat([confounder, plaintext]);
  const mac = createHmac('sha1', ki).update(data).digest().subarray(0, MAC);
  return Buffer.concat([ctsEncrypt(ke, data), mac]);
}

export function decrypt(key: Key, usage: number, ciphertext: Uint8Array): Buffer {
  profile(key.etype);
  if (ciphertext.length < CONFOUNDER + MAC) throw new KrbCryptoError('ciphertext too short');
  const ke = deriveKey(key.value, usageConstant(usage, 0xaa));
  const ki = deriveKey(key.value, usageConstant(usage, 0x55));
  const body = ciphertext.subarray(0, ciphertext.length - MAC);
  const mac = Buffer.from(ciphertext.subarray(ciphertext.length - MAC));
  const data = ctsDecrypt(ke, body);
  const expected = createHmac('sha1', ki).update(data).digest().subarray(0, MAC);
  if (!timingSafeEqual(mac, expected)) throw new KrbCryptoError('integrity check failed (wrong key, or the message was altered)');
  return data.subarray(CONFOUNDER);
}

/** HMAC-SHA1-96 keyed checksum under Kc = DK(key, usage | 0x99). */
export function checksum(key: Key, usage: number, data: Uint8Array): Buffer {
  profile(key.etype);
  const kc = deriveKey(key.value, usageConstant(usage, 0x99));
  return createHmac('sha1', kc).update(data).digest().subarray(0, MAC);
}

export function verifyChecksum(key: Key, usage: number, data: Uint8Array, mac: Uint8Array): boolean {
  const expected = checksum(key, usage, data);
  return mac.length === expected.length && timingSafeEqual(Buffer.from(mac), expected);
}

export function randomKey(etype: number): Key {
  return { etype, value: randomBytes(profile(etype).keyBytes) };
}

/** Key usage numbers (RFC 4120 section 7.5.1, RFC 4121 section 2). */
export const KeyUsage = {
  AS_REQ_PA_ENC_TIMESTAMP: 1,
  KDC_REP_TICKET: 2,
  AS_REP_ENCPART: 3,
  TGS_REQ_AUTH_DATA_SESSION: 4,
  TGS_REQ_PA_AUTHENTICATOR_CKSUM: 6,
  TGS_REQ_PA_AUTHENTICATOR: 7,
  TGS_REP_ENCPART_SESSION: 8,
  TGS_REP_ENCPART_SUBKEY: 9,
  AP_REQ_AUTHENTICATOR_CKSUM: 10,
  AP_REQ_AUTHENTICATOR: 11,
  AP_REP_ENCPART: 12,
  GSS_ACCEPTOR_SEAL: 22,
  GSS_ACCEPTOR_SIGN: 23,
  GSS_INITIATOR_SEAL: 24,
  GSS_INITIATOR_SIGN: 25,
} as const;
