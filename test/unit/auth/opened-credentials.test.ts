import { describe, expect, it } from 'vitest';
import { OpenedCredentials } from '../../../src/auth/opened-credentials.js';

function cache(ttlMs = 30_000, max = 100) {
  let now = 1_000_000;
  const c = new OpenedCredentials<string>({ ttlMs, max, now: () => now });
  let opened = 0;
  const open = (value: string) => (): string => {
    opened++;
    return value;
  };
  return { c, open, advance: (ms: number) => void (now += ms), opens: () => opened };
}

describe('OpenedCredentials', () => {
  it('opens once per session and inputs, then answers from memory', () => {
    const { c, open, opens } = cache();
    expect(c.get('sid-a', ['alice', 'sealed-a', 'key-a'], open('alice-key'))).toBe('alice-key');
    expect(c.get('sid-a', ['alice', 'sealed-a', 'key-a'], open('never'))).toBe('alice-key');
    expect(opens()).toBe(1);
  });

  it("never gives one session's value to another session, even with the same inputs", () => {
    const { c, open } = cache();
    c.get('sid-a', ['alice', 'sealed-a', 'key-a'], open('alice-key'));
    expect(c.get('sid-b', ['alice', 'sealed-a', 'key-a'], open('opened-for-b'))).toBe('opened-for-b');
    expect(c.get('sid-b', ['bob', 'sealed-b', 'key-b'], open('bob-key'))).toBe('bob-key');
    expect(c.get('sid-a', ['alice', 'sealed-a', 'key-a'], open('never'))).toBe('alice-key');
  });

  it('opens again when any input differs: another key cookie, a new sealed blob (new sign-in or password), another user', () => {
    const { c, open, opens } = cache();
    c.get('sid-a', ['alice', 'sealed-a', 'key-a'], open('alice-key'));
    expect(c.get('sid-a', ['alice', 'sealed-a', 'key-x'], open('with-other-key'))).toBe('with-other-key');
    expect(c.get('sid-a', ['alice', 'sealed-2', 'key-x'], open('new-sign-in'))).toBe('new-sign-in');
    expect(c.get('sid-a', ['mallory', 'sealed-2', 'key-x'], open('other-user'))).toBe('other-user');
    expect(opens()).toBe(4);
  });

  it('keeps input boundaries apart (["ab","c"] is not ["a","bc"])', () => {
    const { c, open } = cache();
    c.get('sid', ['ab', 'c'], open('first'));
    expect(c.get('sid', ['a', 'bc'], open('second'))).toBe('second');
  });

  it('does not keep a failed opening: the next request tries again and fails again', () => {
    const { c, open } = cache();
    const failing = (): string => {
      throw new Error('does not open');
    };
    expect(() => c.get('sid', ['alice', 'bad'], failing)).toThrow('does not open');
    expect(() => c.get('sid', ['alice', 'bad'], failing)).toThrow('does not open');
    expect(c.size).toBe(0);
    expect(c.get('sid', ['alice', 'good'], open('fine'))).toBe('fine');
  });

  it('expires ttlMs after the opening, however often it is used, and drops expired entries', () => {
    const { c, open, advance, opens } = cache(30_000);
    c.get('sid-a', ['alice'], open('v1'));
    c.get('sid-b', ['bob'], open('b1'));
    advance(29_999);
    expect(c.get('sid-a', ['alice'], open('never'))).toBe('v1');
    advance(1);
    expect(c.get('sid-a', ['alice'], open('v2'))).toBe('v2');
    expect(opens()).toBe(3);
    // bob's entry expired too and went when alice's was opened again.
    expect(c.size).toBe(1);
  });

  it('holds at most `max` sessions, the oldest opening leaving first', () => {
    const { c, open } = cache(30_000, 2);
    c.get('s1', ['a'], open('1'));
    c.get('s2', ['b'], open('2'));
    c.get('s3', ['c'], open('3'));
    expect(c.size).toBe(2);
    expect(c.get('s1', ['a'], open('1 again'))).toBe('1 again');
    expect(c.get('s3', ['c'], open('never'))).toBe('3');
  });

  it('forget() drops a session', () => {
    const { c, open } = cache();
    c.get('sid', ['alice'], open('v1'));
    c.forget('sid');
    expect(c.get('sid', ['alice'], open('v2'))).toBe('v2');
  });
});
