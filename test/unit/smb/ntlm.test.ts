import { describe, expect, it } from 'vitest';
import { AvId, encodeAvPairs, parseAvPairs } from '../../../src/smb/auth/av-pairs.js';
import { AuthProtocolError } from '../../../src/smb/auth/errors.js';
import {
  exchangeKey,
  fileTime,
  lmv2Response,
  messageIntegrityCode,
  ntHash,
  ntlmv2ClientChallenge,
  ntlmv2Response,
  ntowfv2,
  responseKey,
} from '../../../src/smb/auth/ntlm.js';
import { CLIENT_NEGOTIATE_FLAGS, NegotiateFlag } from '../../../src/smb/auth/ntlm-flags.js';
import {
  AUTHENTICATE_MIC_OFFSET,
  encodeAuthenticateMessage,
  encodeNegotiateMessage,
  parseAuthenticateMessage,
  parseChallengeMessage,
  parseNegotiateMessage,
} from '../../../src/smb/auth/ntlm-messages.js';
import { NtlmSessionSecurity, ntlmMac, sealingKey, signingKey } from '../../../src/smb/auth/ntlm-security.js';
import { parseNegTokenInit, parseNegTokenResp } from '../../../src/smb/auth/spnego.js';
import { Rc4, rc4 } from '../../../src/smb/crypto/rc4.js';
import { NLMP_424 as V } from './vectors/ms-nlmp.js';
import { NTLM_SESSION_KEY_EXAMPLE as B, SMB311_MULTICHANNEL } from './vectors/ms-smb-blog.js';
import { sessionSetupRequestToken, sessionSetupResponseToken } from './vectors/smb-buffers.js';

const hexOf = (b: Buffer): string => b.toString('hex');

/** The first channel's three NTLM messages, out of the blog's SMB trace. */
function blogExchange(): { negotiate: Buffer; challenge: Buffer; authenticate: Buffer } {
  const t = SMB311_MULTICHANNEL.first;
  return {
    negotiate: parseNegTokenInit(sessionSetupRequestToken(t.sessionSetupRequest1)).mechToken!,
    challenge: parseNegTokenResp(sessionSetupResponseToken(t.sessionSetupResponse1)).responseToken!,
    authenticate: parseNegTokenResp(sessionSetupRequestToken(t.sessionSetupRequest2)).responseToken!,
  };
}

describe('NTLM hashes', () => {
  it('ntHash is MD4(UTF-16LE(password)) (MS-NLMP 4.2.2.1.2; blog NtHash)', () => {
    expect(hexOf(ntHash('Password'))).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(hexOf(ntHash(B.password))).toBe(hexOf(B.ntHash));
  });

  it('ntowfv2 matches MS-NLMP 4.2.4.1.1 and the blog', () => {
    expect(hexOf(ntowfv2(V.password, V.username, V.domain))).toBe(hexOf(V.ntowfv2));
    expect(hexOf(ntowfv2(B.password, B.username, B.domain))).toBe(hexOf(B.ntowfv2));
  });

  it('upper-cases the user name but not the domain', () => {
    expect(hexOf(ntowfv2('Password', 'user', 'Domain'))).toBe(hexOf(V.ntowfv2));
    expect(hexOf(ntowfv2('Password', 'User', 'DOMAIN'))).not.toBe(hexOf(V.ntowfv2));
  });

  it('a stored NTOWFv2 key stands in for the password', () => {
    expect(hexOf(responseKey({ username: 'User', domain: 'Domain', ntowfv2: V.ntowfv2 }))).toBe(hexOf(V.ntowfv2));
    expect(hexOf(responseKey({ username: 'User', domain: 'Domain', password: 'Password' }))).toBe(hexOf(V.ntowfv2));
    expect(() => responseKey({ username: 'u', domain: 'd', ntowfv2: Buffer.alloc(8) })).toThrow(RangeError);
  });

  it('fileTime counts 100 ns ticks from 1601', () => {
    expect(hexOf(fileTime(new Date(-11_644_473_600_000)))).toBe('0000000000000000');
    // 2003-06-17 10:00:00 UTC, the davenport.sourceforge.net NTLM example.
    expect(hexOf(fileTime(new Date(1_055_844_000_000)))).toBe('0090d336b734c301');
  });
});

describe('NTLMv2 response (MS-NLMP 4.2.4)', () => {
  const blob = ntlmv2ClientChallenge(V.time, V.clientChallenge, V.targetInfo);

  it('builds temp as 4.2.4.2.2 prints it', () => {
    expect(hexOf(blob)).toBe(
      '0101000000000000' + '0000000000000000' + 'aaaaaaaaaaaaaaaa' + '00000000' + hexOf(V.targetInfo) + '00000000',
    );
  });

  it('NTProofStr, NtChallengeResponse and SessionBaseKey', () => {
    const r = ntlmv2Response(V.ntowfv2, V.serverChallenge, blob);
    expect(hexOf(r.ntProofStr)).toBe(hexOf(V.ntProofStr));
    expect(hexOf(r.ntChallengeResponse)).toBe(hexOf(V.ntProofStr) + hexOf(blob));
    expect(hexOf(r.sessionBaseKey)).toBe(hexOf(V.sessionBaseKey));
  });

  it('LMv2 response (4.2.4.2.1)', () => {
    expect(hexOf(lmv2Response(V.ntowfv2, V.serverChallenge, V.clientChallenge))).toBe(hexOf(V.lmv2Response));
  });

  it('key exchange encrypts the random session key with the key-exchange key (4.2.4.2.3)', () => {
    const k = exchangeKey(V.sessionBaseKey, true, V.randomSessionKey);
    expect(hexOf(k.encryptedRandomSessionKey)).toBe(hexOf(V.encryptedSessionKey));
    expect(hexOf(k.exportedSessionKey)).toBe(hexOf(V.randomSessionKey));
    const none = exchangeKey(V.sessionBaseKey, false);
    expect(hexOf(none.exportedSessionKey)).toBe(hexOf(V.sessionBaseKey));
    expect(none.encryptedRandomSessionKey.length).toBe(0);
  });

  it('reproduces the blog\'s NTLMv2 session key calculation from the real AUTHENTICATE', () => {
    const auth = parseAuthenticateMessage(blogExchange().authenticate);
    const temp = auth.ntChallengeResponse.subarray(16);
    const r = ntlmv2Response(B.ntowfv2, B.serverChallenge, temp);
    expect(hexOf(r.ntProofStr)).toBe(hexOf(B.ntProofStr));
    expect(hexOf(auth.ntChallengeResponse.subarray(0, 16))).toBe(hexOf(B.ntProofStr));
    expect(hexOf(r.sessionBaseKey)).toBe(hexOf(B.sessionBaseKey));
    expect(hexOf(auth.encryptedRandomSessionKey)).toBe(hexOf(B.encryptedRandomSessionKey));
    expect(hexOf(rc4(r.sessionBaseKey, auth.encryptedRandomSessionKey))).toBe(hexOf(B.exportedSessionKey));
  });
});

describe('NTLM messages', () => {
  it('parses the MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE', () => {
    const c = parseChallengeMessage(V.challengeMessage);
    expect(c.flags >>> 0).toBe(V.challengeFlags);
    expect(hexOf(c.serverChallenge)).toBe(hexOf(V.serverChallenge));
    expect(c.targetName).toBe('Server');
    expect(hexOf(c.targetInfo)).toBe(hexOf(V.targetInfo));
    expect(c.avPairs.map((p) => [p.id, p.value.toString('utf16le')])).toEqual([
      [AvId.NbDomainName, 'Domain'],
      [AvId.NbComputerName, 'Server'],
    ]);
    expect(c.timestamp).toBeUndefined();
    expect(hexOf(c.version!)).toBe('060070170000000f');
  });

  it('parses the real Windows CHALLENGE from the blog, timestamp and all', () => {
    const c = parseChallengeMessage(blogExchange().challenge);
    expect(c.flags >>> 0).toBe(0xe28a8215);
    expect(hexOf(c.serverChallenge)).toBe(hexOf(B.serverChallenge));
    expect(c.targetName).toBe('SUT311');
    expect(c.avPairs.map((p) => p.id)).toEqual([2, 1, 4, 3, 7]);
    expect(hexOf(c.timestamp!)).toBe('a1a1f5adcbaed001');
    expect(hexOf(c.version!)).toBe('0a00922700000000'.slice(0, 14) + '0f');
  });

  it('parses the real Windows NEGOTIATE from the blog', () => {
    const n = parseNegotiateMessage(blogExchange().negotiate);
    expect(n.flags >>> 0).toBe(0xe2088297);
    expect(n.domain).toBe('');
    expect(n.workstation).toBe('');
    expect(hexOf(n.version!)).toBe('060380250000000f');
  });

  it('encodes our NEGOTIATE: 40 bytes, our flags, our version', () => {
    const m = encodeNegotiateMessage(CLIENT_NEGOTIATE_FLAGS);
    expect(m.length).toBe(40);
    const n = parseNegotiateMessage(m);
    expect(n.flags >>> 0).toBe(0xe2888215);
    expect(hexOf(n.version!)).toBe('0a0000000000000f');
    for (const f of ['UNICODE', 'REQUEST_TARGET', 'SIGN', 'NTLM', 'ALWAYS_SIGN', 'EXTENDED_SESSIONSECURITY', 'TARGET_INFO', 'VERSION', 'NEGOTIATE_128', 'KEY_EXCH', 'NEGOTIATE_56'] as const) {
      expect((n.flags & NegotiateFlag[f]) >>> 0, f).toBe(NegotiateFlag[f] >>> 0);
    }
  });

  it('reproduces the MS-NLMP 4.2.4.3 AUTHENTICATE_MESSAGE byte for byte', () => {
    const blob = ntlmv2ClientChallenge(V.time, V.clientChallenge, V.targetInfo);
    const m = encodeAuthenticateMessage({
      flags: 0xe2888235,
      lmChallengeResponse: V.lmv2Response,
      ntChallengeResponse: ntlmv2Response(V.ntowfv2, V.serverChallenge, blob).ntChallengeResponse,
      domain: V.domain,
      username: V.username,
      workstation: V.workstation,
      encryptedRandomSessionKey: V.encryptedSessionKey,
      version: Buffer.from('0501280a0000000f', 'hex'),
      withMic: false,
    });
    expect(hexOf(m)).toBe(hexOf(V.authenticateMessage));
    const parsed = parseAuthenticateMessage(m);
    expect([parsed.domain, parsed.username, parsed.workstation]).toEqual(['Domain', 'User', 'COMPUTER']);
    expect(parsed.mic).toBeUndefined();
  });

  it('reproduces the blog\'s Windows AUTHENTICATE (with MIC) byte for byte', () => {
    const original = blogExchange().authenticate;
    const a = parseAuthenticateMessage(original);
    expect([a.domain, a.username, a.workstation]).toEqual(['SUT311', 'administrator', 'DRIVER311']);
    expect(hexOf(a.mic!)).toBe('ecac77a5f385a8bf9c38c706eeeddcd3');
    const rebuilt = encodeAuthenticateMessage({ ...a, withMic: true });
    a.mic!.copy(rebuilt, AUTHENTICATE_MIC_OFFSET);
    expect(hexOf(rebuilt)).toBe(hexOf(original));
  });

  it('MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with zero MIC), per the blog trace', () => {
    const { negotiate, challenge, authenticate } = blogExchange();
    const zeroed = Buffer.from(authenticate);
    zeroed.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16);
    expect(hexOf(messageIntegrityCode(B.exportedSessionKey, negotiate, challenge, zeroed))).toBe('ecac77a5f385a8bf9c38c706eeeddcd3');
  });

  it('the bound second channel\'s MIC (and mechListMICs) check out too', () => {
    const t = SMB311_MULTICHANNEL.second;
    const negotiate = parseNegTokenInit(sessionSetupRequestToken(t.sessionSetupRequest1)).mechToken!;
    const challenge = parseNegTokenResp(sessionSetupResponseToken(t.sessionSetupResponse1)).responseToken!;
    const authenticate = parseNegTokenResp(sessionSetupRequestToken(t.sessionSetupRequest2)).responseToken!;
    const zeroed = Buffer.from(authenticate);
    zeroed.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16);
    expect(hexOf(parseAuthenticateMessage(authenticate).mic!)).toBe('ed00e0f3d901f7b77e98071474f83009');
    expect(hexOf(messageIntegrityCode(t.sessionKey, negotiate, challenge, zeroed))).toBe('ed00e0f3d901f7b77e98071474f83009');
    const mechTypes = parseNegTokenInit(sessionSetupRequestToken(t.sessionSetupRequest1)).mechTypesDer;
    const client = new NtlmSessionSecurity(t.sessionKey, parseAuthenticateMessage(authenticate).flags, 'client');
    expect(hexOf(client.sign(mechTypes))).toBe('010000005122f070a7314a9b00000000');
    const serverMic = parseNegTokenResp(sessionSetupResponseToken(t.sessionSetupResponse2)).mechListMIC!;
    expect(hexOf(serverMic)).toBe('01000000cfb046fc5d368e2200000000');
    expect(client.verify(mechTypes, serverMic)).toBe(true);
  });

  it('rejects malformed messages without reading out of bounds', () => {
    expect(() => parseChallengeMessage(Buffer.alloc(10))).toThrow(AuthProtocolError);
    expect(() => parseChallengeMessage(V.authenticateMessage)).toThrow(/expected NTLM CHALLENGE/);
    const wrongSig = Buffer.from(V.challengeMessage);
    wrongSig[0] = 0;
    expect(() => parseChallengeMessage(wrongSig)).toThrow(/not an NTLMSSP/);
    const badOffset = Buffer.from(V.challengeMessage);
    badOffset.writeUInt32LE(0xfffffff0, 44);
    expect(() => parseChallengeMessage(badOffset)).toThrow(/outside/);
    const badLength = Buffer.from(V.challengeMessage);
    badLength.writeUInt16LE(0xffff, 40);
    expect(() => parseChallengeMessage(badLength)).toThrow(AuthProtocolError);
    for (let n = 0; n < V.challengeMessage.length; n++) {
      const prefix = V.challengeMessage.subarray(0, n);
      expect(() => parseChallengeMessage(prefix)).toThrow(AuthProtocolError);
    }
  });

  it('AV pairs: round trip, overrun and missing EOL are errors', () => {
    const pairs = parseAvPairs(V.targetInfo);
    expect(hexOf(encodeAvPairs(pairs))).toBe(hexOf(V.targetInfo));
    expect(() => parseAvPairs(V.targetInfo.subarray(0, V.targetInfo.length - 4))).toThrow(/MsvAvEOL/);
    expect(() => parseAvPairs(Buffer.from('0100ff00', 'hex'))).toThrow(/overruns/);
  });
});

describe('NTLM session security (MS-NLMP 3.4)', () => {
  const flags = V.challengeFlags;

  it('derives the 4.2.4.4 client signing and sealing keys', () => {
    expect(hexOf(signingKey(V.randomSessionKey, 'client-to-server'))).toBe(hexOf(V.clientSigningKey));
    expect(hexOf(sealingKey(V.randomSessionKey, flags, 'client-to-server'))).toBe(hexOf(V.clientSealingKey));
  });

  it('derives all four keys of the blog example', () => {
    const f = 0xe2888215;
    expect(hexOf(signingKey(B.exportedSessionKey, 'client-to-server'))).toBe(hexOf(B.clientSigningKey));
    expect(hexOf(signingKey(B.exportedSessionKey, 'server-to-client'))).toBe(hexOf(B.serverSigningKey));
    expect(hexOf(sealingKey(B.exportedSessionKey, f, 'client-to-server'))).toBe(hexOf(B.clientSealingKey));
    expect(hexOf(sealingKey(B.exportedSessionKey, f, 'server-to-client'))).toBe(hexOf(B.serverSealingKey));
  });

  it('seals "Plaintext" exactly as 4.2.4.4 GSS_WrapEx shows', () => {
    const client = new NtlmSessionSecurity(V.randomSessionKey, flags, 'client');
    const { sealed, signature } = client.seal(V.plaintext);
    expect(hexOf(sealed)).toBe(hexOf(V.sealedPlaintext));
    expect(hexOf(signature)).toBe(hexOf(V.signature));
  });

  it('ntlmMac with a fresh sealing handle is the 4.2.4.4 signature when nothing was sealed first', () => {
    const handle = new Rc4(V.clientSealingKey);
    handle.update(V.plaintext); // the seal step consumes keystream before the MAC
    expect(hexOf(ntlmMac(V.clientSigningKey, handle, 0, V.plaintext))).toBe(hexOf(V.signature));
  });

  it('a server-role context unseals what the client sealed, in order, and catches tampering', () => {
    const client = new NtlmSessionSecurity(V.randomSessionKey, flags, 'client');
    const server = new NtlmSessionSecurity(V.randomSessionKey, flags, 'server');
    for (const text of ['one', 'two', 'three']) {
      const { sealed, signature } = client.seal(Buffer.from(text));
      expect(server.unseal(sealed, signature)?.toString()).toBe(text);
    }
    // Each direction counts on its own: the server's first outgoing MAC is sequence 0.
    const reply = server.seal(Buffer.from('reply'));
    expect(reply.signature.readUInt32LE(12)).toBe(0);
    const tampered = Buffer.from(reply.sealed);
    tampered[0]! ^= 1;
    expect(client.unseal(tampered, reply.signature)).toBeUndefined();
    // The client's fourth seal carries sequence number 3.
    expect(client.seal(Buffer.from('four')).signature.readUInt32LE(12)).toBe(3);
  });

  it('the blog client\'s mechListMIC is the NTLM MAC (seq 0) of the DER mechTypes; the server\'s verifies', () => {
    const mechTypes = Buffer.from('300c060a2b06010401823702020a', 'hex');
    const client = new NtlmSessionSecurity(B.exportedSessionKey, 0xe2888215, 'client');
    expect(hexOf(client.sign(mechTypes))).toBe('0100000063775a9a5fd97f0600000000');
    expect(client.verify(mechTypes, Buffer.from('010000003b453cdc3524164200000000', 'hex'))).toBe(true);
  });

  it('without key exchange the checksum is the plain HMAC prefix', () => {
    const f = (V.challengeFlags & ~NegotiateFlag.KEY_EXCH) >>> 0;
    const s = new NtlmSessionSecurity(V.sessionBaseKey, f, 'client');
    const sig = s.sign(Buffer.from('msg'));
    expect(hexOf(sig)).toBe(hexOf(ntlmMac(signingKey(V.sessionBaseKey, 'client-to-server'), undefined, 0, Buffer.from('msg'))));
  });

  it('refuses to run without extended session security', () => {
    expect(() => new NtlmSessionSecurity(V.randomSessionKey, NegotiateFlag.UNICODE, 'client')).toThrow(/extended session security/);
  });
});
