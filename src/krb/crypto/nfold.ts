/**
 * RFC 3961 section 5.1 n-fold: stretches or folds `input` to `outBytes` bytes by
 * rotating copies of it 13 bits at a time and adding them with end-around carry.
 * Written after MIT's krb5int_nfold, which works a byte at a time.
 */
export function nfold(input: Uint8Array, outBytes: number): Buffer {
  const inBytes = input.length;
  if (inBytes === 0 || outBytes <= 0) throw new RangeError('n-fold needs a non-empty input and output');
  const lcm = (inBytes * outBytes) / gcd(inBytes, outBytes);
  const inBits = inBytes * 8;
  const out = Buffer.alloc(outBytes);
  let carry = 0;
  for (let i = lcm - 1; i >= 0; i--) {
    // The most significant bit of the input copy that lands on output byte i % outBytes.
    const msbit = (inBits - 1 + (inBits + 13) * Math.floor(i / inBytes) + (inBytes - (i % inBytes)) * 8) % inBits;
    const hi = input[(inBytes - 1 - (msbit >>> 3) + inBytes) % inBytes]!;
    const lo = input[(inBytes - (msbit >>> 3)) % inBytes]!;
    carry += (((hi << 8) | lo) >>> ((msbit & 7) + 1)) & 0xff;
    carry += out[i % outBytes]!;
    out[i % outBytes] = carry & 0xff;
    carry >>>= 8;
  }
  // One's-complement addition: the carry out of the top wraps round to the bottom.
  for (let i = outBytes - 1; carry !== 0 && i >= 0; i--) {
    carry += out[i]!;
    out[i] = carry & 0xff;
    carry >>>= 8;
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
