import { hex } from './hex.js';

/**
 * [MS-NLMP] 4.2.1 (common values) and 4.2.4 (NTLMv2 authentication):
 * User "User", UserDom "Domain", Passwd "Password", Workstation "COMPUTER",
 * RandomSessionKey 55…55, Time 0, ClientChallenge aa…aa, ServerChallenge
 * 0123456789abcdef.
 */
export const NLMP_424 = {
  username: 'User',
  domain: 'Domain',
  password: 'Password',
  workstation: 'COMPUTER',
  randomSessionKey: Buffer.alloc(16, 0x55),
  clientChallenge: Buffer.alloc(8, 0xaa),
  serverChallenge: hex('0123456789abcdef'),
  time: Buffer.alloc(8),
  challengeFlags: 0xe28a8233,
  /** 4.2.4.1.1 NTOWFv2(). */
  ntowfv2: hex('0c868a403bfd7a93a3001ef22ef02e3f'),
  /** 4.2.4.1.2 Session Base Key. */
  sessionBaseKey: hex('8de40ccadbc14a82f15cb0ad0de95ca3'),
  /** 4.2.4.2.1 LMv2 Response. */
  lmv2Response: hex('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa'),
  /** 4.2.4.2.2 NTLMv2 Response (NTProofStr). */
  ntProofStr: hex('68cd0ab851e51c96aabc927bebef6a1c'),
  /** 4.2.4.2.3 Encrypted Session Key. */
  encryptedSessionKey: hex('c5dad2544fc9799094ce1ce90bc9d03e'),
  /** 4.2.4.3 CHALLENGE_MESSAGE. */
  challengeMessage: hex(
    '4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000',
    '060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076',
    '006500720000000000',
  ),
  /** The TargetInfo of that CHALLENGE: NbDomainName "Domain", NbComputerName "Server", EOL. */
  targetInfo: hex('02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000'),
  /** 4.2.4.3 AUTHENTICATE_MESSAGE. */
  authenticateMessage: hex(
    '4e544c4d5353500003000000180018006c00000054005400840000000c000c00',
    '48000000080008005400000010001000 5c00000010001000d8000000358288e2',
    '0501280a0000000f44006f006d00610069006e00550073006500720043004f00',
    '4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa',
    'aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000',
    '00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00',
    '01000c005300650072007600650072000000000000000000c5dad2544fc97990',
    '94ce1ce90bc9d03e',
  ),
  /** 4.2.4.4 GSS_WrapEx: the client's keys, and "Plaintext" sealed with sequence number 0. */
  clientSealingKey: hex('59f600973cc4960a25480a7c196e4c58'),
  clientSigningKey: hex('4788dc861b4782f35d43fd98fe1a2d39'),
  plaintext: Buffer.from('Plaintext', 'utf16le'),
  sealedPlaintext: hex('54e50165bf1936dc996020c1811b0f06fb5f'),
  signature: hex('010000007fb38ec5c55d497600000000'),
} as const;
