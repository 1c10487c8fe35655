import { Command, HeaderFlag, SessionFlag } from './messages/constants.js';
import { NtStatus } from './messages/ntstatus.js';
import { decodeSessionSetupResponse, encodeSessionSetupRequest } from './messages/session-setup.js';
import { encodeLogoffRequest } from './messages/simple.js';
import { SmbError, SmbIntegrityError, SmbKerberosCredentialMissingError, SmbLogonFailureError, SmbNotSupportedError, SmbProtocolError } from './errors.js';
import { refuseGuestSession, sessionProtection } from './session-protection.js';
import type { Connection, Request, Response, SecurityContext } from './connection.js';
import { deriveSessionKeys } from './crypto/keys.js';
import { verifyMessage } from './crypto/signing.js';
import { NtlmAuthenticator } from './auth/authenticator.js';
import { KerberosAuthenticator, type KerberosMechanismFactory } from './auth/kerberos.js';
import type { NtlmCredential } from './auth/ntlm.js';
import { AuthProtocolError, AuthRejectedError } from './auth/errors.js';
import { SmbIntegrityError as CryptoIntegrityError } from './crypto/errors.js';

/** The auth and crypto layers have their own error classes; callers of src/smb see only SmbError. */
function asSmbError(err: unknown): unknown {
  if (err instanceof SmbError) return err;
  if (err instanceof AuthRejectedError) return new SmbLogonFailureError(NtStatus.LOGON_FAILURE, err.message, { cause: err });
  if (err instanceof AuthProtocolError) return new SmbProtocolError(`authentication: ${err.message}`, { cause: err });
  if (err instanceof CryptoIntegrityError) return new SmbIntegrityError(err.message, { cause: err });
  return err;
}

/** Which authentication SESSION_SETUP uses; `auto` is Kerberos when a ticket can be had, else NTLMv2. */
export type SmbAuthMode = 'kerberos' | 'ntlm' | 'auto';

/** The steps both authenticators take through SESSION_SETUP. */
interface SessionAuthenticator {
  initialToken(): Buffer;
  respond(serverToken: Buffer): Buffer;
  finish(serverToken: Buffer | undefined): void;
  readonly sessionKey: Buffer;
}

export interface SessionOptions {
  /** For NTLMv2 (mode `ntlm`, or `auto` without a ticket). */
  credential?: NtlmCredential;
  /** Gets a Kerberos context for this server (mode `kerberos`, or `auto` first). */
  kerberos?: KerberosMechanismFactory;
  /** Default: `auto` when `kerberos` is given, else `ntlm`. */
  auth?: SmbAuthMode;
  /** In `auto`, told why Kerberos was not used before falling back to NTLM (the caller logs it). */
  onKerberosUnavailable?: (err: unknown) => void;
  /** Encrypt everything even if the server does not ask for it. */
  encrypt?: boolean;
  /**
   * Accept an SMB 2.0.2/2.1 session the server will not sign, and run it unsigned. Only for a named legacy
   * server: anyone on the path can then read and change its traffic. Never applies to SMB 3.x.
   */
  allowUnsigned?: boolean;
  workstation?: string;
}

/**
 * An authenticated SMB session, never a guest or anonymous one. It owns the keys; every request made
 * through it is signed or encrypted by the connection according to `security` (unsigned only on an
 * SMB 2.x server the caller allowed to be).
 */
export class Session {
  readonly connection: Connection;
  readonly security: SecurityContext;
  readonly flags: number;
  /** The mechanism that authenticated this session. */
  readonly mechanism: 'kerberos' | 'ntlm';
  private loggedOff = false;

  private constructor(connection: Connection, security: SecurityContext, flags: number, mechanism: 'kerberos' | 'ntlm') {
    this.connection = connection;
    this.security = security;
    this.flags = flags;
    this.mechanism = mechanism;
  }

  get sessionId(): bigint {
    return this.security.sessionId;
  }

  static async setup(conn: Connection, options: SessionOptions): Promise<Session> {
    try {
      return await Session.authenticate(conn, options);
    } catch (err) {
      throw asSmbError(err);
    }
  }

  /** Kerberos when asked for (or in `auto` when the factory gets a ticket), else NTLMv2. */
  private static async authenticator(conn: Connection, options: SessionOptions): Promise<{ auth: SessionAuthenticator; mechanism: 'kerberos' | 'ntlm' }> {
    const mode = options.auth ?? (options.kerberos ? 'auto' : 'ntlm');
    // `auto` without a Kerberos source (e.g. a session signed in before tickets were kept) is plain NTLMv2.
    if (mode === 'kerberos' || (mode === 'auto' && options.kerberos)) {
      if (!options.kerberos) throw new SmbKerberosCredentialMissingError();
      try {
        return { auth: new KerberosAuthenticator(await options.kerberos()), mechanism: 'kerberos' };
      } catch (err) {
        if (mode === 'kerberos' || !options.credential) throw err;
        options.onKerberosUnavailable?.(err);
      }
    }
    if (!options.credential) throw new SmbProtocolError('SMB authentication is set to NTLM but no NTLM credential was given');
    const auth = new NtlmAuthenticator(options.credential, {
      targetHost: conn.host,
      ...(options.workstation === undefined ? {} : { workstation: options.workstation }),
    });
    return { auth, mechanism: 'ntlm' };
  }

  private static async authenticate(conn: Connection, options: SessionOptions): Promise<Session> {
    const { auth, mechanism } = await Session.authenticator(conn, options);
    const preauth = conn.preauthSnapshot();
    let token = auth.initialToken();
    let sessionId = 0n;
    let final: Response;
    for (let round = 0; ; round++) {
      if (round > 8) throw new SmbIntegrityError('session setup did not converge');
      const res = await conn.request({
        command: Command.SESSION_SETUP,
        body: encodeSessionSetupRequest({ securityMode: conn.securityMode, capabilities: conn.clientCapabilities & 0x1, securityBuffer: token }),
        sessionId,
        acceptStatus: [NtStatus.MORE_PROCESSING_REQUIRED],
      });
      preauth?.update(res.sent);
      sessionId = res.header.sessionId;
      if (res.header.status === NtStatus.MORE_PROCESSING_REQUIRED) {
        preauth?.update(res.msg);
        token = auth.respond(decodeSessionSetupResponse(res.msg).securityBuffer);
        continue;
      }
      final = res;
      break;
    }
    const { sessionFlags, securityBuffer } = decodeSessionSetupResponse(final.msg);
    // Before finish(): a guest session has no key, so its mechListMIC check would hide the real reason.
    refuseGuestSession(sessionFlags);
    auth.finish(securityBuffer.length > 0 ? securityBuffer : undefined);

    const dialect = conn.dialect;
    const cipher = conn.cipher;
    const encrypt = (sessionFlags & SessionFlag.ENCRYPT_DATA) !== 0 || options.encrypt === true;
    if (encrypt && cipher === undefined) {
      throw new SmbNotSupportedError(NtStatus.NOT_SUPPORTED, `encryption requested but dialect 0x${dialect.toString(16)} negotiated no cipher`);
    }
    const keys = deriveSessionKeys(dialect, auth.sessionKey, preauth?.value, cipher);
    // On 3.1.1 this signature also proves the server hashed the same NEGOTIATE and SESSION_SETUP
    // exchange (pre-auth integrity): nobody tampered with the negotiation.
    const finalSigned = (final.header.flags & HeaderFlag.SIGNED) !== 0;
    if (finalSigned && !verifyMessage(conn.signingAlgorithm, keys.signingKey, final.msg)) {
      throw new SmbIntegrityError('final SESSION_SETUP response has a bad signature');
    }
    const protection = sessionProtection({ host: conn.host, dialect, encrypt, finalSigned, allowUnsigned: options.allowUnsigned === true });
    const security: SecurityContext = {
      sessionId,
      signingAlgorithm: conn.signingAlgorithm,
      signingKey: keys.signingKey,
      cipher,
      encryptionKey: keys.encryptionKey,
      decryptionKey: keys.decryptionKey,
      sign: protection === 'sign',
      encrypt: protection === 'encrypt',
    };
    conn.registerSession(security);
    return new Session(conn, security, sessionFlags, mechanism);
  }

  /** Sends a request on this session; tree and file layers go through here. */
  request(req: Omit<Request, 'security' | 'sessionId'>): Promise<Response> {
    return this.connection.request({ ...req, security: this.security });
  }

  async logoff(): Promise<void> {
    if (this.loggedOff) return;
    this.loggedOff = true;
    try {
      if (this.connection.isOpen) await this.request({ command: Command.LOGOFF, body: encodeLogoffRequest() });
    } finally {
      this.connection.unregisterSession(this.sessionId);
    }
  }
}
