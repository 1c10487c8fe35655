import { randomBytes } from 'node:crypto';
import { SmbIntegrityError } from '../crypto/errors.js';
import { AvId, type AvPair, MSV_AV_FLAG_MIC_PRESENT, encodeAvPairs } from './av-pairs.js';
import { AuthProtocolError, AuthRejectedError } from './errors.js';
import {
  type NtlmCredential,
  exchangeKey,
  fileTime,
  lmv2Response,
  messageIntegrityCode,
  ntlmv2ClientChallenge,
  ntlmv2Response,
  responseKey,
} from './ntlm.js';
import { CLIENT_NEGOTIATE_FLAGS, NegotiateFlag, hasFlag } from './ntlm-flags.js';
import {
  AUTHENTICATE_MIC_OFFSET,
  type ChallengeMessage,
  encodeAuthenticateMessage,
  encodeNegotiateMessage,
  parseChallengeMessage,
} from './ntlm-messages.js';
import { NtlmSessionSecurity } from './ntlm-security.js';
import { type NegTokenResp, OID, encodeMechTypeList, encodeNegTokenInit, encodeNegTokenResp, parseNegTokenResp } from './spnego.js';

export interface NtlmAuthenticatorOptions {
  /** Sent in AUTHENTICATE for the server's logs. */
  workstation?: string;
  /** The server's host name; adds MsvAvTargetName "cifs/<host>" to the NTLMv2 blob. */
  targetHost?: string;
  /** Randomness source; tests pin it to replay published exchanges. */
  random?: (size: number) => Buffer;
  /** Clock for the blob timestamp when the server sends none. */
  now?: () => Date;
}

type State = 'new' | 'negotiating' | 'authenticating' | 'done';

const MECH_TYPES = [OID.NTLMSSP] as const;

/**
 * SPNEGO-wrapped NTLMv2 for SMB2 SESSION_SETUP: initialToken() for the first
 * request, respond() to the server's CHALLENGE, finish() on the final reply.
 */
export class NtlmAuthenticator {
  private readonly credential: NtlmCredential;
  private readonly options: NtlmAuthenticatorOptions;
  private readonly random: (size: number) => Buffer;
  private state: State = 'new';
  private negotiateMessage: Buffer | undefined;
  private exportedSessionKey: Buffer | undefined;
  private security: NtlmSessionSecurity | undefined;
  /** NTLM negotiated SIGN, so both sides can compute a mechListMIC. */
  private signing = false;
  private readonly mechTypesDer = encodeMechTypeList(MECH_TYPES);

  constructor(credential: NtlmCredential, options: NtlmAuthenticatorOptions = {}) {
    this.credential = credential;
    this.options = options;
    this.random = options.random ?? randomBytes;
  }

  initialToken(): Buffer {
    if (this.state !== 'new') throw new AuthProtocolError('initialToken() called twice');
    this.negotiateMessage = encodeNegotiateMessage(CLIENT_NEGOTIATE_FLAGS);
    this.state = 'negotiating';
    return encodeNegTokenInit({ mechTypes: MECH_TYPES, mechToken: this.negotiateMessage });
  }

  respond(serverToken: Buffer): Buffer {
    if (this.state !== 'negotiating' || !this.negotiateMessage) throw new AuthProtocolError('respond() before initialToken() or called twice');
    const resp = parseNegTokenResp(serverToken);
    if (resp.negState === 'reject') throw new AuthRejectedError('the server rejected NTLM authentication');
    if (resp.supportedMech && resp.supportedMech !== OID.NTLMSSP) {
      throw new AuthProtocolError(`the server chose mechanism ${resp.supportedMech}, not NTLM`);
    }
    if (!resp.responseToken) throw new AuthProtocolError('the server sent no NTLM CHALLENGE');
    const challengeBytes = resp.responseToken;
    const challenge = parseChallengeMessage(challengeBytes);
    const flags = this.negotiatedFlags(challenge);

    const authenticate = this.authenticateMessage(challenge, flags);
    authenticate.message.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16);
    messageIntegrityCode(authenticate.exportedSessionKey, this.negotiateMessage, challengeBytes, authenticate.message).copy(
      authenticate.message,
      AUTHENTICATE_MIC_OFFSET,
    );

    this.exportedSessionKey = authenticate.exportedSessionKey;
    this.security = new NtlmSessionSecurity(authenticate.exportedSessionKey, flags, 'client');
    this.signing = hasFlag(flags, NegotiateFlag.SIGN);
    // Samba insists on a mechListMIC whenever the NTLM MIC is present.
    const mechListMIC = this.security.sign(this.mechTypesDer);
    this.state = 'authenticating';
    return encodeNegTokenResp({ negState: 'accept-incomplete', responseToken: authenticate.message, mechListMIC });
  }

  finish(serverToken: Buffer | undefined): void {
    if (this.state !== 'authenticating' || !this.security) throw new AuthProtocolError('finish() before respond()');
    const resp: NegTokenResp = serverToken && serverToken.length > 0 ? parseNegTokenResp(serverToken) : {};
    if (resp.negState === 'reject') throw new AuthRejectedError('the server rejected NTLM authentication');
    if (resp.negState !== undefined && resp.negState !== 'accept-completed') {
      throw new AuthProtocolError(`SPNEGO ended in state ${resp.negState}, not accept-completed`);
    }
    // [MS-SPNG] 3.3.5.1: once NTLM can sign (it can whenever SIGN was negotiated, and we sent our own
    // mechListMIC), the server must answer with its mechListMIC. A final token without one, or no final
    // token at all, is what a man in the middle who rewrote the exchange would send.
    if (resp.mechListMIC === undefined) {
      if (this.signing) throw new SmbIntegrityError('the server sent no SPNEGO mechListMIC although NTLM provides one');
    } else if (!this.security.verify(this.mechTypesDer, resp.mechListMIC)) {
      throw new SmbIntegrityError("the server's SPNEGO mechListMIC does not verify");
    }
    this.state = 'done';
  }

  /** The exported session key, from which the SMB session keys derive. */
  get sessionKey(): Buffer {
    if (!this.exportedSessionKey) throw new AuthProtocolError('no session key before respond()');
    return Buffer.from(this.exportedSessionKey);
  }

  private negotiatedFlags(challenge: ChallengeMessage): number {
    const flags = (challenge.flags & (CLIENT_NEGOTIATE_FLAGS | NegotiateFlag.TARGET_INFO)) >>> 0;
    if (!hasFlag(flags, NegotiateFlag.UNICODE)) throw new AuthProtocolError('the server does not offer Unicode NTLM');
    if (!hasFlag(flags, NegotiateFlag.EXTENDED_SESSIONSECURITY)) {
      throw new AuthProtocolError('the server does not offer NTLM extended session security');
    }
    return flags;
  }

  /** The server's AV pairs plus ours: MIC-present flag, unbound channel, target SPN. */
  private blobAvPairs(challenge: ChallengeMessage): AvPair[] {
    const pairs: AvPair[] = challenge.avPairs.map((p) => ({ id: p.id, value: Buffer.from(p.value) }));
    const flagsPair = pairs.find((p) => p.id === AvId.Flags);
    if (flagsPair) flagsPair.value.writeUInt32LE((flagsPair.value.readUInt32LE(0) | MSV_AV_FLAG_MIC_PRESENT) >>> 0);
    else pairs.push({ id: AvId.Flags, value: u32(MSV_AV_FLAG_MIC_PRESENT) });
    if (!pairs.some((p) => p.id === AvId.ChannelBindings)) pairs.push({ id: AvId.ChannelBindings, value: Buffer.alloc(16) });
    if (this.options.targetHost && !pairs.some((p) => p.id === AvId.TargetName)) {
      pairs.push({ id: AvId.TargetName, value: Buffer.from(`cifs/${this.options.targetHost}`, 'utf16le') });
    }
    return pairs;
  }

  private authenticateMessage(challenge: ChallengeMessage, flags: number): { message: Buffer; exportedSessionKey: Buffer } {
    const key = responseKey(this.credential);
    const clientChallenge = this.random(8);
    const timestamp = challenge.timestamp ?? fileTime(this.options.now?.() ?? new Date());
    const blob = ntlmv2ClientChallenge(timestamp, clientChallenge, encodeAvPairs(this.blobAvPairs(challenge)));
    const { ntChallengeResponse, sessionBaseKey } = ntlmv2Response(key, challenge.serverChallenge, blob);
    // MS-NLMP 3.1.5.1.2: with a server timestamp the LMv2 response is zeros.
    const lmChallengeResponse = challenge.timestamp ? Buffer.alloc(24) : lmv2Response(key, challenge.serverChallenge, clientChallenge);

    const keyExchange =
      hasFlag(flags, NegotiateFlag.KEY_EXCH) && (hasFlag(flags, NegotiateFlag.SIGN) || hasFlag(flags, NegotiateFlag.SEAL));
    const { exportedSessionKey, encryptedRandomSessionKey } = exchangeKey(sessionBaseKey, keyExchange, keyExchange ? this.random(16) : undefined);

    const message = encodeAuthenticateMessage({
      flags,
      lmChallengeResponse,
      ntChallengeResponse,
      domain: this.credential.domain,
      username: this.credential.username,
      workstation: this.options.workstation ?? '',
      encryptedRandomSessionKey,
    });
    return { message, exportedSessionKey };
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}
