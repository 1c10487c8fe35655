import { createHash } from 'node:crypto';
import { smb3Kdf } from './kdf.js';

export type CipherId = 'AES-128-CCM' | 'AES-128-GCM' | 'AES-256-CCM' | 'AES-256-GCM';

export interface SessionKeys {
  signingKey: Buffer;
  /** Client→server, i.e. what the client encrypts with. */
  encryptionKey: Buffer;
  /** Server→client, i.e. what the client decrypts with. */
  decryptionKey: Buffer;
  applicationKey: Buffer;
}

export const DIALECT_2_0_2 = 0x0202;
export const DIALECT_2_1 = 0x0210;
export const DIALECT_3_0 = 0x0300;
export const DIALECT_3_0_2 = 0x0302;
export const DIALECT_3_1_1 = 0x0311;

const PREAUTH_HASH_LENGTH = 64;

/** The labels and contexts carry their trailing NUL, as MS-SMB2 3.2.5.3.1 counts them. */
function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'latin1');
}

const LABELS_3_0 = {
  signing: [cString('SMB2AESCMAC'), cString('SmbSign')],
  encryption: [cString('SMB2AESCCM'), cString('ServerIn ')],
  decryption: [cString('SMB2AESCCM'), cString('ServerOut')],
  application: [cString('SMB2APP'), cString('SmbRpc')],
} as const;

const LABELS_3_1_1 = {
  signing: cString('SMBSigningKey'),
  encryption: cString('SMBC2SCipherKey'),
  decryption: cString('SMBS2CCipherKey'),
  application: cString('SMBAppKey'),
} as const;

export function is256BitCipher(cipher: CipherId | undefined): boolean {
  return cipher === 'AES-256-CCM' || cipher === 'AES-256-GCM';
}

/** Session.SessionKey: the first 16 bytes of the GSS key, right-padded with zeros. */
function truncatedSessionKey(sessionKey: Buffer): Buffer {
  const key = Buffer.alloc(16);
  sessionKey.copy(key, 0, 0, Math.min(16, sessionKey.length));
  return key;
}

export function deriveSessionKeys(
  dialect: number,
  sessionKey: Buffer,
  preauthHash?: Buffer,
  cipher?: CipherId,
): SessionKeys {
  if (sessionKey.length === 0) throw new RangeError('the session key is empty');
  const key16 = truncatedSessionKey(sessionKey);

  switch (dialect) {
    case DIALECT_2_0_2:
    case DIALECT_2_1:
      // SMB 2.x signs with the session key itself and has no encryption; its
      // application key is the session key too (MS-SMB2 3.2.4.25).
      return { signingKey: key16, encryptionKey: Buffer.alloc(0), decryptionKey: Buffer.alloc(0), applicationKey: key16 };

    case DIALECT_3_0:
    case DIALECT_3_0_2: {
      if (is256BitCipher(cipher)) throw new RangeError('AES-256 ciphers need dialect 3.1.1');
      const kdf = ([label, context]: readonly [Buffer, Buffer]): Buffer => smb3Kdf(key16, label, context, 128);
      return {
        signingKey: kdf(LABELS_3_0.signing),
        encryptionKey: kdf(LABELS_3_0.encryption),
        decryptionKey: kdf(LABELS_3_0.decryption),
        applicationKey: kdf(LABELS_3_0.application),
      };
    }

    case DIALECT_3_1_1: {
      if (!preauthHash || preauthHash.length !== PREAUTH_HASH_LENGTH) {
        throw new RangeError('dialect 3.1.1 needs the 64-byte preauth integrity hash');
      }
      // MS-SMB2 3.2.5.3.1: with an AES-256 cipher the cipher keys come from the
      // full GSS key (Kerberos may give 32 bytes) and are 256 bits long; the
      // signing and application keys stay 128-bit from the truncated key.
      const wide = is256BitCipher(cipher);
      const cipherKeySource = wide ? sessionKey : key16;
      const cipherBits = wide ? 256 : 128;
      return {
        signingKey: smb3Kdf(key16, LABELS_3_1_1.signing, preauthHash, 128),
        encryptionKey: smb3Kdf(cipherKeySource, LABELS_3_1_1.encryption, preauthHash, cipherBits),
        decryptionKey: smb3Kdf(cipherKeySource, LABELS_3_1_1.decryption, preauthHash, cipherBits),
        applicationKey: smb3Kdf(key16, LABELS_3_1_1.application, preauthHash, 128),
      };
    }

    default:
      throw new RangeError(`unknown SMB dialect 0x${dialect.toString(16).padStart(4, '0')}`);
  }
}

/**
 * The SMB 3.1.1 preauth integrity hash: H = SHA-512(H || message), from 64
 * zero bytes. The connection keeps one over NEGOTIATE and clones it for each
 * session setup, because every session continues from the same point.
 */
export class PreauthIntegrity {
  private hash: Buffer;

  constructor(initial?: Buffer) {
    if (initial && initial.length !== PREAUTH_HASH_LENGTH) throw new RangeError('a preauth hash is 64 bytes');
    this.hash = initial ? Buffer.from(initial) : Buffer.alloc(PREAUTH_HASH_LENGTH);
  }

  update(message: Buffer): void {
    this.hash = createHash('sha512').update(this.hash).update(message).digest();
  }

  get value(): Buffer {
    return Buffer.from(this.hash);
  }

  clone(): PreauthIntegrity {
    return new PreauthIntegrity(this.hash);
  }
}
