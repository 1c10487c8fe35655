import { describe, expect, it } from 'vitest';
import { giveBack, idleBufferBytes, takeBuffer } from '../../../src/smb/buffer-pool.js';

describe('transfer buffer pool', () => {
  it('hands a returned buffer out again for the same size, and a fresh one for another size', () => {
    const size = 3 << 20;
    const a = takeBuffer(size);
    expect(a.length).toBe(size);
    const before = idleBufferBytes();
    giveBack([a]);
    expect(idleBufferBytes()).toBe(before + size);
    const b = takeBuffer(size);
    // Identity, not contents: comparing MiB-sized buffers for a message is slow.
    expect(b === a).toBe(true);
    expect(idleBufferBytes()).toBe(before);
    const c = takeBuffer(size + 1);
    expect(c === a).toBe(false);
    expect(c.length).toBe(size + 1);
  });

  it('keeps at most 32 MiB idle and lets the rest go', () => {
    const size = 5 << 20;
    const many = Array.from({ length: 10 }, () => takeBuffer(size));
    const before = idleBufferBytes();
    giveBack(many);
    expect(idleBufferBytes()).toBeLessThanOrEqual(32 << 20);
    expect(idleBufferBytes()).toBeGreaterThan(before);
    // Drain what was kept so other tests start from the same pool.
    const kept = (idleBufferBytes() - before) / size;
    const again = Array.from({ length: kept }, () => takeBuffer(size));
    expect(new Set(again).size).toBe(kept);
    expect(again.every((b) => many.includes(b))).toBe(true);
  });
});
