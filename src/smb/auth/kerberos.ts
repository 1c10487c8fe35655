import { SmbIntegrityError } from '../crypto/errors.js';
import { AuthProtocolError, AuthRejectedError } from './errors.js';
import { type NegTokenResp, OID, encodeMechTypeList, encodeNegTokenInit, encodeNegTokenResp, parseNegTokenResp } from './spnego.js';

/**
 * The Kerberos GSS-API mechanism as SMB needs it. src/smb does not implement Kerberos: src/krb's
 * KerberosInitiator fits this shape, and whoever builds the SmbClient (the pool, the CLI) passes a
 * factory that gets the ticket for cifs/<host FQDN>. So src/smb stays free of KDCs, realms and caches.
 */
export interface KerberosMechanism {
  /** The krb5 GSS InitialContextToken: an AP-REQ asking for mutual authentication. */
  initialToken(): Buffer;
  /** Checks the server's AP-REP (throws when it does not prove the server, or is a KRB-ERROR). */
  acceptReply(token: Buffer): void;
  readonly isEstablished: boolean;
  /** The GSS session key (acceptor sub-key, else initiator sub-key, else the ticket's). */
  readonly sessionKey: Buffer;
  getMic(data: Buffer): Buffer;
  verifyMic(data: Buffer, mic: Buffer): boolean;
}

/** Called once per SESSION_SETUP; rejects when no ticket can be had (then `auto` falls back to NTLM). */
export type KerberosMechanismFactory = () => Promise<KerberosMechanism>;

type State = 'new' | 'sent' | 'done';

/** Windows lists the MS OID first, and Windows servers answer it; Samba takes either. */
const MECH_TYPES = [OID.MS_KERBEROS, OID.KERBEROS] as const;
const KERBEROS_OIDS: readonly string[] = MECH_TYPES;

/**
 * SPNEGO-wrapped Kerberos for SMB2 SESSION_SETUP, with the same three steps as NtlmAuthenticator:
 * initialToken(), respond() when the server wants another round (it sends its AP-REP and asks for our
 * mechListMIC), finish() on the final reply. Mutual authentication is required: a session whose server
 * never proved itself with an AP-REP fails.
 */
export class KerberosAuthenticator {
  private readonly mech: KerberosMechanism;
  private readonly mechTypesDer = encodeMechTypeList(MECH_TYPES);
  private state: State = 'new';
  private micVerified = false;

  constructor(mech: KerberosMechanism) {
    this.mech = mech;
  }

  initialToken(): Buffer {
    if (this.state !== 'new') throw new AuthProtocolError('initialToken() called twice');
    this.state = 'sent';
    return encodeNegTokenInit({ mechTypes: MECH_TYPES, mechToken: this.mech.initialToken() });
  }

  /** A server reply before the end: take the AP-REP and its MIC, answer with ours. */
  respond(serverToken: Buffer): Buffer {
    if (this.state !== 'sent') throw new AuthProtocolError('respond() before initialToken()');
    const resp = parseNegTokenResp(serverToken);
    this.take(resp);
    if (!this.mech.isEstablished) throw new AuthProtocolError('the server asked for another round without sending its AP-REP');
    return encodeNegTokenResp({ mechListMIC: this.mech.getMic(this.mechTypesDer) });
  }

  finish(serverToken: Buffer | undefined): void {
    if (this.state !== 'sent') throw new AuthProtocolError('finish() before initialToken()');
    const resp: NegTokenResp = serverToken && serverToken.length > 0 ? parseNegTokenResp(serverToken) : {};
    if (resp.negState !== undefined && resp.negState !== 'accept-completed') {
      throw new AuthProtocolError(`SPNEGO ended in state ${resp.negState}, not accept-completed`);
    }
    this.take(resp);
    // Mutual authentication: without an AP-REP anyone could have answered "success".
    if (!this.mech.isEstablished) throw new SmbIntegrityError('the server never sent a Kerberos AP-REP (mutual authentication failed)');
    this.state = 'done';
  }

  private take(resp: NegTokenResp): void {
    if (resp.negState === 'reject') {
      if (resp.responseToken) this.mech.acceptReply(resp.responseToken); // a KRB-ERROR says why
      throw new AuthRejectedError('the server rejected Kerberos authentication');
    }
    if (resp.supportedMech !== undefined && !KERBEROS_OIDS.includes(resp.supportedMech)) {
      throw new AuthProtocolError(`the server chose mechanism ${resp.supportedMech}, not Kerberos`);
    }
    if (resp.responseToken && !this.mech.isEstablished) this.mech.acceptReply(resp.responseToken);
    if (resp.mechListMIC !== undefined && !this.micVerified) {
      if (!this.mech.isEstablished) throw new AuthProtocolError('SPNEGO mechListMIC before the AP-REP');
      if (!this.mech.verifyMic(this.mechTypesDer, resp.mechListMIC)) throw new SmbIntegrityError("the server's SPNEGO mechListMIC does not verify");
      this.micVerified = true;
    }
  }

  /** MS-SMB2 3.2.5.3: the first 16 bytes of the GSS session key (zero-padded if shorter). */
  get sessionKey(): Buffer {
    const key = Buffer.alloc(16);
    this.mech.sessionKey.copy(key, 0, 0, 16);
    return key;
  }
}
