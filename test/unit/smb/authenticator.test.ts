import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NtlmAuthenticator } from '../../../src/smb/auth/authenticator.js';
import { AvId, parseAvPairs } from '../../../src/smb/auth/av-pairs.js';
import { AuthProtocolError, AuthRejectedError } from '../../../src/smb/auth/errors.js';
import { ntlmv2Response } from '../../../src/smb/auth/ntlm.js';
import { NegotiateFlag } from '../../../src/smb/auth/ntlm-flags.js';
import {
  AUTHENTICATE_MIC_OFFSET,
  parseAuthenticateMessage,
  parseChallengeMessage,
  parseNegotiateMessage,
} from '../../../src/smb/auth/ntlm-messages.js';
import { OID, encodeNegTokenResp, parseNegTokenInit, parseNegTokenResp } from '../../../src/smb/auth/spnego.js';
import { SmbIntegrityError } from '../../../src/smb/crypto/errors.js';
import { rc4 } from '../../../src/smb/crypto/rc4.js';
import { NLMP_424 } from './vectors/ms-nlmp.js';
import { NTLM_SESSION_KEY_EXAMPLE as B, SMB311_MULTICHANNEL } from './vectors/ms-smb-blog.js';
import { sessionSetupResponseToken } from './vectors/smb-buffers.js';

const hexOf = (b: Buffer): string => b.toString('hex');
const T = SMB311_MULTICHANNEL.first;
const CHALLENGE_TOKEN = sessionSetupResponseToken(T.sessionSetupResponse1);
const FINAL_TOKEN = sessionSetupResponseToken(T.sessionSetupResponse2);
const MECH_TYPES_DER = Buffer.from('300c060a2b06010401823702020a', 'hex');

/** Pins the randomness to the blog's exported session key and client challenge. */
function pinnedRandom(size: number): Buffer {
  if (size === 16) return Buffer.from(B.exportedSessionKey);
  if (size === 8) return Buffer.from('bc4ad05f223cc90f', 'hex');
  throw new Error(`unexpected random(${size})`);
}

function blogAuthenticator(): NtlmAuthenticator {
  return new NtlmAuthenticator(
    { username: 'administrator', domain: B.domain, password: B.password },
    { workstation: 'PORTCULLIS', targetHost: 'SUT311', random: pinnedRandom },
  );
}

describe('NtlmAuthenticator against the blog\'s Windows server tokens', () => {
  it('initialToken is a GSS/SPNEGO NegTokenInit offering only NTLMSSP, carrying our NEGOTIATE', () => {
    const init = parseNegTokenInit(blogAuthenticator().initialToken());
    expect(init.mechTypes).toEqual([OID.NTLMSSP]);
    expect(hexOf(init.mechTypesDer)).toBe(hexOf(MECH_TYPES_DER));
    const negotiate = parseNegotiateMessage(init.mechToken!);
    expect(negotiate.flags >>> 0).toBe(0xe2888215);
  });

  it('respond() answers the real CHALLENGE with a correct AUTHENTICATE, MIC and mechListMIC', () => {
    const auth = blogAuthenticator();
    const negotiate = parseNegTokenInit(auth.initialToken()).mechToken!;
    const reply = parseNegTokenResp(auth.respond(CHALLENGE_TOKEN));
    const challenge = parseNegTokenResp(CHALLENGE_TOKEN).responseToken!;

    // The mechListMIC depends only on the exported key and the mech list, so it
    // must equal the one Windows sent with the same key.
    expect(reply.negState).toBe('accept-incomplete');
    expect(hexOf(reply.mechListMIC!)).toBe('0100000063775a9a5fd97f0600000000');

    const a = parseAuthenticateMessage(reply.responseToken!);
    expect(a.flags >>> 0).toBe(0xe2888215); // Windows sent the same flags
    expect([a.domain, a.username, a.workstation]).toEqual(['SUT311', 'administrator', 'PORTCULLIS']);
    expect(hexOf(a.lmChallengeResponse)).toBe('00'.repeat(24)); // server sent a timestamp

    const temp = a.ntChallengeResponse.subarray(16);
    expect(hexOf(temp.subarray(0, 8))).toBe('0101000000000000');
    expect(hexOf(temp.subarray(8, 16))).toBe('a1a1f5adcbaed001'); // the server's MsvAvTimestamp
    expect(hexOf(temp.subarray(16, 24))).toBe('bc4ad05f223cc90f');
    expect(hexOf(temp.subarray(temp.length - 4))).toBe('00000000');
    const pairs = parseAvPairs(temp.subarray(28, temp.length - 4));
    expect(pairs.map((p) => p.id)).toEqual([2, 1, 4, 3, 7, AvId.Flags, AvId.ChannelBindings, AvId.TargetName]);
    expect(pairs.find((p) => p.id === AvId.Flags)!.value.readUInt32LE(0)).toBe(2);
    expect(hexOf(pairs.find((p) => p.id === AvId.ChannelBindings)!.value)).toBe('00'.repeat(16));
    expect(pairs.find((p) => p.id === AvId.TargetName)!.value.toString('utf16le')).toBe('cifs/SUT311');

    // NTProofStr under the password's key, and the key exchange around it.
    const { ntProofStr, sessionBaseKey } = ntlmv2Response(B.ntowfv2, B.serverChallenge, temp);
    expect(hexOf(a.ntChallengeResponse.subarray(0, 16))).toBe(hexOf(ntProofStr));
    expect(hexOf(rc4(sessionBaseKey, a.encryptedRandomSessionKey))).toBe(hexOf(B.exportedSessionKey));

    // MIC over all three messages with the MIC field zeroed.
    const zeroed = Buffer.from(reply.responseToken!);
    zeroed.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16);
    const mic = createHmac('md5', B.exportedSessionKey).update(negotiate).update(challenge).update(zeroed).digest();
    expect(hexOf(a.mic!)).toBe(hexOf(mic));

    expect(hexOf(auth.sessionKey)).toBe(hexOf(B.exportedSessionKey));
  });

  it('finish() verifies the server\'s real mechListMIC', () => {
    const auth = blogAuthenticator();
    auth.initialToken();
    auth.respond(CHALLENGE_TOKEN);
    expect(() => auth.finish(FINAL_TOKEN)).not.toThrow();
    expect(hexOf(auth.sessionKey)).toBe('270e1ba896585eeb7af3472d3b4c75a7');
  });

  it('finish() throws SmbIntegrityError when the server\'s mechListMIC is wrong', () => {
    const auth = blogAuthenticator();
    auth.initialToken();
    auth.respond(CHALLENGE_TOKEN);
    const forged = encodeNegTokenResp({ negState: 'accept-completed', mechListMIC: Buffer.from('01000000' + '00'.repeat(12), 'hex') });
    expect(() => auth.finish(forged)).toThrow(SmbIntegrityError);
  });

  it('finish() refuses no token, or an accept-completed without mechListMIC, once NTLM negotiated SIGN', () => {
    for (const token of [undefined, Buffer.alloc(0), encodeNegTokenResp({ negState: 'accept-completed' })]) {
      const auth = blogAuthenticator();
      auth.initialToken();
      auth.respond(CHALLENGE_TOKEN);
      expect(() => auth.finish(token)).toThrow(SmbIntegrityError);
      expect(() => auth.finish(token)).toThrow(/no SPNEGO mechListMIC/);
    }
  });

  it('finish() tolerates a missing mechListMIC only when NTLM did not negotiate SIGN', () => {
    const challenge = Buffer.from(NLMP_424.challengeMessage);
    challenge.writeUInt32LE((NLMP_424.challengeFlags & ~NegotiateFlag.SIGN) >>> 0, 20);
    const auth = new NtlmAuthenticator({ username: 'User', domain: 'Domain', password: 'Password' });
    auth.initialToken();
    auth.respond(encodeNegTokenResp({ responseToken: challenge }));
    expect(() => auth.finish(encodeNegTokenResp({ negState: 'accept-completed' }))).not.toThrow();
  });

  it('a real random exported key differs per run and round-trips through the key exchange', () => {
    const a1 = new NtlmAuthenticator({ username: 'administrator', domain: 'SUT311', password: B.password });
    const a2 = new NtlmAuthenticator({ username: 'administrator', domain: 'SUT311', ntowfv2: B.ntowfv2 });
    for (const a of [a1, a2]) {
      a.initialToken();
      a.respond(CHALLENGE_TOKEN);
    }
    expect(a1.sessionKey.length).toBe(16);
    expect(a1.sessionKey.equals(a2.sessionKey)).toBe(false);
  });
});

describe('NtlmAuthenticator without a server timestamp (MS-NLMP 4.2.4 CHALLENGE)', () => {
  it('computes the LMv2 response and uses the caller\'s clock', () => {
    const auth = new NtlmAuthenticator(
      { username: NLMP_424.username, domain: NLMP_424.domain, password: NLMP_424.password },
      {
        random: (n) => (n === 8 ? Buffer.from(NLMP_424.clientChallenge) : Buffer.from(NLMP_424.randomSessionKey)),
        now: () => new Date(-11_644_473_600_000),
      },
    );
    auth.initialToken();
    const reply = parseNegTokenResp(auth.respond(encodeNegTokenResp({ negState: 'accept-incomplete', supportedMech: OID.NTLMSSP, responseToken: NLMP_424.challengeMessage })));
    const a = parseAuthenticateMessage(reply.responseToken!);
    expect(hexOf(a.lmChallengeResponse)).toBe(hexOf(NLMP_424.lmv2Response));
    expect(hexOf(a.ntChallengeResponse.subarray(24, 32))).toBe('0000000000000000');
    // Challenge flags e28a8233 ∩ ours: that CHALLENGE lacks REQUEST_TARGET; OEM,
    // SEAL and TARGET_TYPE_SERVER are dropped because we never asked for them.
    expect(a.flags >>> 0).toBe(0xe2888211);
    const temp = a.ntChallengeResponse.subarray(16);
    const { sessionBaseKey } = ntlmv2Response(NLMP_424.ntowfv2, NLMP_424.serverChallenge, temp);
    expect(hexOf(rc4(sessionBaseKey, a.encryptedRandomSessionKey))).toBe(hexOf(NLMP_424.randomSessionKey));
    expect(hexOf(auth.sessionKey)).toBe(hexOf(NLMP_424.randomSessionKey));
  });

  it('without KEY_EXCH the session key is the session base key and no key is sent', () => {
    const challenge = Buffer.from(NLMP_424.challengeMessage);
    challenge.writeUInt32LE((NLMP_424.challengeFlags & ~NegotiateFlag.KEY_EXCH) >>> 0, 20);
    expect(parseChallengeMessage(challenge).flags & NegotiateFlag.KEY_EXCH).toBe(0);
    const auth = new NtlmAuthenticator({ username: 'User', domain: 'Domain', password: 'Password' });
    auth.initialToken();
    const a = parseAuthenticateMessage(parseNegTokenResp(auth.respond(encodeNegTokenResp({ responseToken: challenge }))).responseToken!);
    expect(a.encryptedRandomSessionKey.length).toBe(0);
    const { sessionBaseKey } = ntlmv2Response(NLMP_424.ntowfv2, NLMP_424.serverChallenge, a.ntChallengeResponse.subarray(16));
    expect(hexOf(auth.sessionKey)).toBe(hexOf(sessionBaseKey));
  });
});

describe('NtlmAuthenticator failure paths', () => {
  const fresh = (): NtlmAuthenticator => {
    const a = new NtlmAuthenticator({ username: 'u', domain: 'd', password: 'p' });
    a.initialToken();
    return a;
  };

  it('a reject from the server is AuthRejectedError, at either step', () => {
    expect(() => fresh().respond(encodeNegTokenResp({ negState: 'reject' }))).toThrow(AuthRejectedError);
    const a = fresh();
    a.respond(CHALLENGE_TOKEN);
    expect(() => a.finish(encodeNegTokenResp({ negState: 'reject' }))).toThrow(AuthRejectedError);
  });

  it('refuses another mechanism, a missing CHALLENGE, or a server without ESS', () => {
    expect(() => fresh().respond(encodeNegTokenResp({ negState: 'accept-incomplete', supportedMech: OID.KERBEROS }))).toThrow(/not NTLM/);
    expect(() => fresh().respond(encodeNegTokenResp({ negState: 'accept-incomplete' }))).toThrow(/no NTLM CHALLENGE/);
    const noEss = Buffer.from(NLMP_424.challengeMessage);
    noEss.writeUInt32LE((NLMP_424.challengeFlags & ~NegotiateFlag.EXTENDED_SESSIONSECURITY) >>> 0, 20);
    expect(() => fresh().respond(encodeNegTokenResp({ responseToken: noEss }))).toThrow(/extended session security/);
  });

  it('enforces the call order', () => {
    const a = new NtlmAuthenticator({ username: 'u', domain: 'd', password: 'p' });
    expect(() => a.sessionKey).toThrow(AuthProtocolError);
    expect(() => a.respond(CHALLENGE_TOKEN)).toThrow(AuthProtocolError);
    expect(() => a.finish(undefined)).toThrow(AuthProtocolError);
    a.initialToken();
    expect(() => a.initialToken()).toThrow(AuthProtocolError);
    a.respond(CHALLENGE_TOKEN);
    expect(() => a.respond(CHALLENGE_TOKEN)).toThrow(AuthProtocolError);
  });

  it('garbage from the server is AuthProtocolError', () => {
    expect(() => fresh().respond(Buffer.from('not a token'))).toThrow(AuthProtocolError);
    expect(() => fresh().respond(encodeNegTokenResp({ responseToken: Buffer.from('NTLMSSP\0') }))).toThrow(AuthProtocolError);
  });
});
