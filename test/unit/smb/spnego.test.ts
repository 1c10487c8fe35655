import { describe, expect, it } from 'vitest';
import { decodeOid, encodeLength, encodeOid, encodeTlv, readTlv } from '../../../src/smb/auth/der.js';
import { AuthProtocolError } from '../../../src/smb/auth/errors.js';
import {
  OID,
  encodeMechTypeList,
  encodeNegTokenInit,
  encodeNegTokenResp,
  parseNegTokenInit,
  parseNegTokenResp,
} from '../../../src/smb/auth/spnego.js';
import { SMB311_MULTICHANNEL } from './vectors/ms-smb-blog.js';
import { negotiateResponseToken, sessionSetupRequestToken, sessionSetupResponseToken } from './vectors/smb-buffers.js';

const hexOf = (b: Buffer): string => b.toString('hex');
const T = SMB311_MULTICHANNEL.first;
const HINT = 'not_defined_in_RFC4178@please_ignore';

/**
 * A NegTokenInit2 shaped like Samba's NEGOTIATE response blob ([MS-SPNG]
 * 2.2.1): MS-Kerberos, Kerberos and NTLMSSP, plus negHints.hintName.
 */
const SAMBA_STYLE_INIT2 = Buffer.from(
  '605e' +
    '06062b0601050502' +
    'a054' +
    '3052' +
    'a024' +
    '3022' +
    '06092a864882f712010202' +
    '06092a864886f712010202' +
    '060a2b06010401823702020a' +
    'a32a' +
    '3028' +
    'a026' +
    '1b24' +
    Buffer.from(HINT, 'latin1').toString('hex'),
  'hex',
);

describe('DER primitives', () => {
  it('encodes and decodes the SPNEGO OIDs, including multi-byte arcs', () => {
    expect(hexOf(encodeOid(OID.SPNEGO))).toBe('06062b0601050502');
    expect(hexOf(encodeOid(OID.NTLMSSP))).toBe('060a2b06010401823702020a');
    expect(hexOf(encodeOid(OID.MS_KERBEROS))).toBe('06092a864882f712010202');
    expect(hexOf(encodeOid(OID.KERBEROS))).toBe('06092a864886f712010202');
    for (const oid of Object.values(OID)) expect(decodeOid(encodeOid(oid).subarray(2))).toBe(oid);
  });

  it('uses short, one-byte and two-byte length forms', () => {
    expect(hexOf(encodeLength(0x7f))).toBe('7f');
    expect(hexOf(encodeLength(0x80))).toBe('8180');
    expect(hexOf(encodeLength(0x1a6))).toBe('8201a6');
    const big = encodeTlv(0x04, Buffer.alloc(300));
    expect(readTlv(big, 0)).toEqual({ tag: 0x04, start: 0, contentStart: 4, end: 304 });
  });

  it('refuses indefinite lengths, overruns, huge lengths and high tag numbers', () => {
    expect(() => readTlv(Buffer.from('3080000000', 'hex'), 0)).toThrow(/indefinite/);
    expect(() => readTlv(Buffer.from('3005000000', 'hex'), 0)).toThrow(/overruns/);
    expect(() => readTlv(Buffer.from('3085ffffffffff', 'hex'), 0)).toThrow(/too large/);
    expect(() => readTlv(Buffer.from('3f0100', 'hex'), 0)).toThrow(/high tag/);
    expect(() => readTlv(Buffer.from('30', 'hex'), 0)).toThrow(/truncated/);
    expect(() => decodeOid(Buffer.from('2b86', 'hex'))).toThrow(/inside an arc/);
  });
});

describe('SPNEGO encoding matches Windows byte for byte (blog trace)', () => {
  it('NegTokenInit in the GSS InitialContextToken around NTLM NEGOTIATE', () => {
    const windowsToken = sessionSetupRequestToken(T.sessionSetupRequest1);
    const negotiate = windowsToken.subarray(windowsToken.length - 40);
    expect(hexOf(encodeNegTokenInit({ mechTypes: [OID.NTLMSSP], mechToken: negotiate }))).toBe(hexOf(windowsToken));
    expect(hexOf(windowsToken.subarray(0, 34))).toBe('604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a0428');
  });

  it('NegTokenResp with AUTHENTICATE and mechListMIC (long-form lengths)', () => {
    const windowsToken = sessionSetupRequestToken(T.sessionSetupRequest2);
    const parsed = parseNegTokenResp(windowsToken);
    expect(parsed.negState).toBe('accept-incomplete');
    expect(parsed.responseToken!.length).toBe(0x1a6);
    expect(hexOf(parsed.mechListMIC!)).toBe('0100000063775a9a5fd97f0600000000');
    expect(hexOf(encodeNegTokenResp(parsed))).toBe(hexOf(windowsToken));
  });

  it('the MechTypeList DER is what the mechListMIC covers', () => {
    expect(hexOf(encodeMechTypeList([OID.NTLMSSP]))).toBe('300c060a2b06010401823702020a');
  });
});

describe('SPNEGO decoding', () => {
  it('reads the Windows server\'s NegTokenInit2 from the NEGOTIATE response', () => {
    const init = parseNegTokenInit(negotiateResponseToken(T.negotiateResponse));
    expect(init.mechTypes).toEqual([OID.NEGOEX, OID.NTLMSSP]);
    expect(hexOf(init.mechTypesDer)).toBe('3018060a2b06010401823702021e060a2b06010401823702020a');
    expect(init.mechToken!.subarray(0, 8).toString('latin1')).toBe('NEGOEXTS');
    expect(init.mechToken!.length).toBe(0x108);
    expect(init.hintName).toBeUndefined();
  });

  it('reads a Samba-style NegTokenInit2 with negHints', () => {
    const init = parseNegTokenInit(SAMBA_STYLE_INIT2);
    expect(init.mechTypes).toEqual([OID.MS_KERBEROS, OID.KERBEROS, OID.NTLMSSP]);
    expect(init.hintName).toBe(HINT);
    expect(init.mechToken).toBeUndefined();
    expect(init.mechListMIC).toBeUndefined();
  });

  it('reads a bare NegTokenInit without the GSS wrapper, and an RFC 4178 mechListMIC at [3]', () => {
    const bare = encodeTlv(
      0xa0,
      encodeTlv(0x30, encodeTlv(0xa0, encodeMechTypeList([OID.NTLMSSP])), encodeTlv(0xa3, encodeTlv(0x04, Buffer.from('mic')))),
    );
    const init = parseNegTokenInit(bare);
    expect(init.mechTypes).toEqual([OID.NTLMSSP]);
    expect(init.mechListMIC!.toString()).toBe('mic');
  });

  it('reads the server\'s CHALLENGE NegTokenResp', () => {
    const resp = parseNegTokenResp(sessionSetupResponseToken(T.sessionSetupResponse1));
    expect(resp.negState).toBe('accept-incomplete');
    expect(resp.supportedMech).toBe(OID.NTLMSSP);
    expect(resp.responseToken!.subarray(0, 12).toString('hex')).toBe('4e544c4d5353500002000000');
    expect(resp.mechListMIC).toBeUndefined();
  });

  it('reads the server\'s final accept-completed NegTokenResp', () => {
    const resp = parseNegTokenResp(sessionSetupResponseToken(T.sessionSetupResponse2));
    expect(resp).toEqual({ negState: 'accept-completed', mechListMIC: Buffer.from('010000003b453cdc3524164200000000', 'hex') });
  });

  it('reads every negState, and rejects unknown ones', () => {
    for (const negState of ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'] as const) {
      expect(parseNegTokenResp(encodeNegTokenResp({ negState })).negState).toBe(negState);
    }
    expect(() => parseNegTokenResp(Buffer.from('a1073005a0030a0109', 'hex'))).toThrow(/negState 9/);
  });

  it('says which token it expected', () => {
    expect(() => parseNegTokenResp(SAMBA_STYLE_INIT2)).toThrow(/not a SPNEGO NegTokenResp/);
    expect(() => parseNegTokenInit(sessionSetupResponseToken(T.sessionSetupResponse1))).toThrow(/not a SPNEGO NegTokenInit/);
    const kerberosGss = Buffer.from(SAMBA_STYLE_INIT2);
    kerberosGss[9] = 0x03; // 1.3.6.1.5.5.3 is not SPNEGO
    expect(() => parseNegTokenInit(kerberosGss)).toThrow(/not SPNEGO/);
    expect(() => parseNegTokenResp(Buffer.concat([sessionSetupResponseToken(T.sessionSetupResponse2), Buffer.of(0)]))).toThrow(/trailing/);
  });

  it('never throws anything but AuthProtocolError on truncated or bit-flipped input', () => {
    const samples: Array<[Buffer, (b: Buffer) => unknown]> = [
      [sessionSetupResponseToken(T.sessionSetupResponse1), parseNegTokenResp],
      [sessionSetupRequestToken(T.sessionSetupRequest2), parseNegTokenResp],
      [negotiateResponseToken(T.negotiateResponse), parseNegTokenInit],
      [SAMBA_STYLE_INIT2, parseNegTokenInit],
    ];
    let failures = 0;
    for (const [token, parse] of samples) {
      const variants: Buffer[] = [];
      for (let n = 0; n < token.length; n++) variants.push(token.subarray(0, n));
      for (let i = 0; i < Math.min(token.length, 64); i++) {
        for (const bit of [0x01, 0x80]) {
          const v = Buffer.from(token);
          v[i]! ^= bit;
          variants.push(v);
        }
      }
      for (const v of variants) {
        try {
          parse(v);
        } catch (e) {
          if (!(e instanceof AuthProtocolError)) failures++;
        }
      }
    }
    expect(failures).toBe(0);
  });
});
