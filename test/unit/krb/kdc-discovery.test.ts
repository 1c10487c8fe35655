// The pure parts of KDC discovery by DNS SRV: RFC 2782's order and the merge with the fallback KDCs.
import { describe, expect, it } from 'vitest';
import { mergeKdcs, orderSrv, srvName, type SrvRecord } from '../../../src/krb/kdc-discovery.js';

const rec = (name: string, priority: number, weight: number, port = 88): SrvRecord => ({ name, port, priority, weight });

/** A small seeded generator, so the statistics below are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('orderSrv (RFC 2782)', () => {
  it('lowest priority first, whatever the weights', () => {
    const out = orderSrv([rec('c', 30, 100), rec('a', 10, 0), rec('b', 20, 65535)], () => 0.99);
    expect(out.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('within a priority, a weighted draw over the running sum (weight-0 records first in it), repeated until none is left', () => {
    const group = [rec('heavy', 5, 30), rec('zero', 5, 0), rec('light', 5, 10)];
    // Sum 40; draw 0 picks the first in the running sum, which is the weight-0 record.
    expect(orderSrv(group, () => 0).map((r) => r.name)).toEqual(['zero', 'heavy', 'light']);
    // Draw floor(0.5 * 41) = 20: running sums zero 0, heavy 30 → heavy; then of zero 0, light 10 draw 5 → light.
    expect(orderSrv(group, () => 0.5).map((r) => r.name)).toEqual(['heavy', 'light', 'zero']);
    // Draw the top of the range: the last record in the running sum.
    expect(orderSrv(group, () => 0.999).map((r) => r.name)).toEqual(['light', 'heavy', 'zero']);
  });

  it('first picks follow the weights (90:10 over 20,000 draws), and all-zero weights keep their order', () => {
    const random = seeded(42);
    let heavyFirst = 0;
    for (let i = 0; i < 20_000; i++) if (orderSrv([rec('light', 0, 10), rec('heavy', 0, 90)], random)[0]!.name === 'heavy') heavyFirst++;
    expect(heavyFirst / 20_000).toBeGreaterThan(0.87);
    expect(heavyFirst / 20_000).toBeLessThan(0.93);
    expect(orderSrv([rec('x', 1, 0), rec('y', 1, 0)], random).map((r) => r.name)).toEqual(['x', 'y']);
  });

  it('drops "no service" targets ("." as node:dns gives it, "")', () => {
    expect(orderSrv([rec('', 0, 0)])).toEqual([]);
    expect(orderSrv([rec('.', 0, 0), rec('kdc1.example.test', 10, 0)]).map((r) => r.name)).toEqual(['kdc1.example.test']);
  });
});

describe('mergeKdcs and srvName', () => {
  it('discovered KDCs first, then the fallback ones not among them by address or target name (case and trailing dot aside)', () => {
    const discovered = [
      { host: '10.0.0.5', port: 88, target: 'dc1.example.test' },
      { host: 'dc2.example.test', port: 88, target: 'dc2.example.test' },
    ];
    const fallback = [
      { host: 'DC1.example.test.', port: 88 },
      { host: '10.0.0.6', port: 88 },
      { host: '10.0.0.5', port: 88 },
      { host: '10.0.0.5', port: 8888 },
      { host: '10.0.0.6', port: 88 },
    ];
    expect(mergeKdcs(discovered, fallback)).toEqual([
      { host: '10.0.0.5', port: 88 },
      { host: 'dc2.example.test', port: 88 },
      { host: '10.0.0.6', port: 88 },
      { host: '10.0.0.5', port: 8888 },
    ]);
    expect(mergeKdcs([], fallback.slice(0, 2))).toEqual(fallback.slice(0, 2));
  });

  it('asks for _kerberos._tcp.<realm> as the realm is spelt', () => {
    expect(srvName('EXAMPLE.TEST')).toBe('_kerberos._tcp.EXAMPLE.TEST');
  });
});
