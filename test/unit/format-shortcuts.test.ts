// The one shortcut table (src/format/shortcuts.ts): no key does two things, and the labels people see.
import { describe, expect, it } from 'vitest';
import { chordsOf, keyLabels, parseChord, SHORTCUTS, shortcutRows } from '../../src/format/shortcuts.js';

describe('keyboard shortcut table', () => {
  it('gives every key sequence one meaning, and no single key that starts a sequence', () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
    const singles = new Set(all.filter((k) => !k.includes(' ')));
    // "g" alone must stay free, or "g h" could never be typed.
    for (const seq of all.filter((k) => k.includes(' '))) expect(singles.has(seq.split(' ')[0] ?? '')).toBe(false);
  });

  it('reads chords and labels them as keys are named on screen', () => {
    expect(parseChord('Alt+ArrowUp')).toEqual({ key: 'ArrowUp', mod: false, alt: true, shift: false });
    expect(parseChord('Space').key).toBe(' ');
    expect(chordsOf('g h').map((c) => c.key)).toEqual(['g', 'h']);
    expect(keyLabels(parseChord('Mod+a'))).toEqual(['Ctrl/⌘', 'A']);
    expect(keyLabels(parseChord('u'))).toEqual(['u']);
    expect(keyLabels(parseChord('Escape'))).toEqual(['Esc']);
    expect(shortcutRows().find((r) => r.id === 'up')?.alternatives).toEqual([[['Backspace']], [['Alt', '↑']]]);
  });
});
