import { describe, expect, it } from 'vitest';
import { nfold } from '../../../src/krb/crypto/nfold.js';
import { ctsDecrypt, ctsEncrypt } from '../../../src/krb/crypto/aes-cts.js';
import { EncType, checksum, decrypt, encrypt, iterationsFrom, stringToKey, stringToKeyAsync, verifyChecksum } from '../../../src/krb/crypto/etypes.js';
import { KrbCryptoError } from '../../../src/krb/errors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('n-fold (RFC 3961 appendix A.1)', () => {
  const vectors: Array<[number, string, string]> = [
    [64, '012345', 'be072631276b1955'],
    [56, 'password', '78a07b6caf85fa'],
    [64, 'Rough Consensus, and Running Code', 'bb6ed30870b7f0e0'],
    [168, 'password', '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    [192, 'MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    [168, 'Q', '518a54a215a8452a518a54a215a8452a518a54a215'],
    [168, 'ba', 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    [64, 'kerberos', '6b65726265726f73'],
    [128, 'kerberos', '6b65726265726f737b9b5b2b93132b93'],
    [168, 'kerberos', '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    [256, 'kerberos', '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  it.each(vectors)('%i-fold(%s)', (bits, input, out) => {
    expect(nfold(Buffer.from(input), bits / 8).toString('hex')).toBe(out);
  });
});

describe('AES string-to-key (RFC 3962 appendix B)', () => {
  const vectors: Array<[number, string, Buffer | string, string, string]> = [
    [1, 'password', 'ATHENA.MIT.EDUraeburn', '42263c6e89f4fc28b8df68ee09799f15', 'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161'],
    [2, 'password', 'ATHENA.MIT.EDUraeburn', 'c651bf29e2300ac27fa469d693bdda13', 'a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff'],
    [1200, 'password', 'ATHENA.MIT.EDUraeburn', '4c01cd46d632d01e6dbe230a01ed642a', '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a'],
    [5, 'password', hex('1234567878563412'), 'e9b23d52273747dd5c35cb55be619d8e', '97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31'],
    [1200, 'X'.repeat(64), 'pass phrase equals block size', '59d1bb789a828b1aa54ef9c2883f69ed', '89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34'],
    [1200, 'X'.repeat(65), 'pass phrase exceeds block size', 'cb8005dc5f90179a7f02104c0018751d', 'd78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b'],
    [50, '\u{1D11E}', 'EXAMPLE.COMpianist', 'f149c1f2e154a73452d43e7fe62a56e5', '4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e'],
  ];
  it.each(vectors)('%i iterations of %s', (iterations, password, salt, k128, k256) => {
    expect(stringToKey(EncType.AES128_CTS_HMAC_SHA1_96, password, salt, iterations).value.toString('hex')).toBe(k128);
    expect(stringToKey(EncType.AES256_CTS_HMAC_SHA1_96, password, salt, iterations).value.toString('hex')).toBe(k256);
  });

  it.each(vectors)('%i iterations of %s, on the thread pool (the sign-in path)', async (iterations, password, salt, k128, k256) => {
    expect((await stringToKeyAsync(EncType.AES128_CTS_HMAC_SHA1_96, password, salt, iterations)).value.toString('hex')).toBe(k128);
    expect((await stringToKeyAsync(EncType.AES256_CTS_HMAC_SHA1_96, password, salt, iterations)).value.toString('hex')).toBe(k256);
  });

  it('refuses RC4 on the thread pool path too', () => {
    expect(() => stringToKeyAsync(EncType.RC4_HMAC, 'p', 's')).toThrow(/RC4-HMAC.*not implemented/);
  });

  it('reads the iteration count from s2kparams, 4096 without', () => {
    expect(iterationsFrom(undefined)).toBe(4096);
    expect(iterationsFrom(hex('000004b0'))).toBe(1200);
    expect(() => iterationsFrom(hex('00000000'))).toThrow(KrbCryptoError);
    expect(() => iterationsFrom(hex('ffffffff'))).toThrow(KrbCryptoError);
  });
});

describe('AES-CTS (RFC 3962 appendix B, key "chicken teriyaki", zero IV)', () => {
  const key = Buffer.from('chicken teriyaki');
  const plain = hex(
    '4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e',
  );
  const vectors: Array<[number, string]> = [
    [17, 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    [31, 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    [32, '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    [47, '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    [48, '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [64, '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8'],
  ];
  it.each(vectors)('%i bytes', (length, expected) => {
    const p = plain.subarray(0, length);
    expect(ctsEncrypt(key, p).toString('hex')).toBe(expected);
    expect(ctsDecrypt(key, hex(expected)).toString('hex')).toBe(p.toString('hex'));
  });
});

describe('encrypt, decrypt and checksum with key usages', () => {
  for (const etype of [EncType.AES128_CTS_HMAC_SHA1_96, EncType.AES256_CTS_HMAC_SHA1_96]) {
    const key = stringToKey(etype, 'password', 'EXAMPLE.TESTalice', 4096);
    it(`etype ${etype}: round-trips every length, refuses another usage or a flipped bit`, () => {
      for (const length of [0, 1, 15, 16, 17, 100]) {
        const data = Buffer.alloc(length, 7);
        const ct = encrypt(key, 3, data);
        expect(ct.length).toBe(16 + length + 12);
        expect(decrypt(key, 3, ct).equals(data)).toBe(true);
        expect(() => decrypt(key, 4, ct)).toThrow(KrbCryptoError);
        ct[ct.length - 20] = ct[ct.length - 20]! ^ 1;
        expect(() => decrypt(key, 3, ct)).toThrow(KrbCryptoError);
      }
      const mac = checksum(key, 10, Buffer.from('abc'));
      expect(mac.length).toBe(12);
      expect(verifyChecksum(key, 10, Buffer.from('abc'), mac)).toBe(true);
      expect(verifyChecksum(key, 11, Buffer.from('abc'), mac)).toBe(false);
    });
  }

  it('refuses RC4-HMAC clearly', () => {
    expect(() => stringToKey(EncType.RC4_HMAC, 'p', 's')).toThrow(/RC4-HMAC.*not implemented/);
  });
});
