import { describe, expect, it } from 'vitest';
import { ActiveSessions, SessionCapError } from '../../../src/sessions/active-sessions.js';

describe('ActiveSessions (the per-instance session cap)', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('counts a sign-in from the moment it starts, so a burst cannot all pass the check', () => {
    const c = clock();
    const active = new ActiveSessions(3, 600_000, c.now);
    const slots = [active.reserve(), active.reserve(), active.reserve()];
    expect(() => active.reserve()).toThrow(SessionCapError);
    // A failed sign-in gives its slot back; a kept one turns into the session.
    slots[0]?.release();
    slots[1]?.keep('s1');
    expect(active.count).toBe(2);
    const fourth = active.reserve();
    expect(() => active.reserve()).toThrow(SessionCapError);
    fourth.release();
    // Releasing twice, or after keep, frees nothing more.
    slots[0]?.release();
    slots[1]?.release();
    expect(active.count).toBe(2);
  });

  it('forgets a session at sign-out, and one idle past the window; a touch keeps it', () => {
    const c = clock();
    const active = new ActiveSessions(2, 60_000, c.now);
    active.reserve().keep('a');
    c.advance(10_000);
    active.reserve().keep('b');
    expect(() => active.reserve()).toThrow(SessionCapError);
    active.forget('a');
    active.reserve().keep('c');
    c.advance(55_000);
    active.touch('b');
    c.advance(10_000);
    // c was last seen 65 s ago: gone; b was touched 10 s ago: still active.
    expect(active.count).toBe(1);
    active.reserve().keep('d');
    expect(active.count).toBe(2);
  });

  it('tells when to retry: when the least recently seen session leaves the window, within 5 s … the window', () => {
    const c = clock();
    const active = new ActiveSessions(1, 600_000, c.now);
    active.reserve().keep('a');
    c.advance(540_000);
    const err = (() => {
      try {
        active.reserve();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SessionCapError);
    expect((err as SessionCapError).status).toBe(503);
    expect((err as SessionCapError).retryAfterSeconds).toBe(60);
    c.advance(59_000);
    expect(() => active.reserve()).toThrow(expect.objectContaining({ retryAfterSeconds: 5 }) as Error);
  });

  it('with no cap (0) counts but never refuses', () => {
    const active = new ActiveSessions(0, 60_000);
    for (let i = 0; i < 1000; i++) active.reserve().keep(`s${i}`);
    expect(active.count).toBe(1000);
  });
});
