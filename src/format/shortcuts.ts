// The one table of keyboard shortcuts (issue 13). The browser's keyboard module (src/client/keyboard.ts) matches
// key presses against it, and the server renders it in the "?" dialog and on /help, so what the page does and what
// it says it does cannot drift apart. Pure data and string helpers: bundled for the browser, compiled for Node.

export type ShortcutId = 'move' | 'open' | 'up' | 'toggle' | 'select-all' | 'clear' | 'delete' | 'rename' | 'search' | 'upload' | 'new-folder' | 'home' | 'help';

export interface Shortcut {
  id: ShortcutId;
  /**
   * Alternatives. Each is a sequence of chords separated by spaces ("g h": g, then h); a chord is modifiers and a
   * KeyboardEvent.key joined by "+" ("Alt+ArrowUp"). "Mod" is Ctrl, or ⌘ on a Mac; "Space" is the space bar.
   */
  keys: readonly string[];
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'move', keys: ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'], description: 'Move between items (left and right between tiles in grid view)' },
  { id: 'open', keys: ['Enter'], description: 'Open the item that has the focus' },
  { id: 'up', keys: ['Backspace', 'Alt+ArrowUp'], description: 'Go up to the parent folder' },
  { id: 'toggle', keys: ['Space'], description: 'Select or unselect the item that has the focus' },
  { id: 'select-all', keys: ['Mod+a'], description: 'Select all items' },
  { id: 'clear', keys: ['Escape'], description: 'Clear the selection' },
  { id: 'delete', keys: ['Delete'], description: 'Delete the selection (or the item that has the focus)' },
  { id: 'rename', keys: ['F2'], description: 'Rename the selected item (or the item that has the focus)' },
  { id: 'search', keys: ['/'], description: 'Search this folder' },
  { id: 'upload', keys: ['u'], description: 'Upload files' },
  { id: 'new-folder', keys: ['n'], description: 'New folder' },
  { id: 'home', keys: ['g h'], description: 'Go to your home drive' },
  { id: 'help', keys: ['?'], description: 'Show these shortcuts' },
];

export interface Chord {
  key: string;
  mod: boolean;
  alt: boolean;
  shift: boolean;
}

/** "Alt+ArrowUp" → { key: 'ArrowUp', alt: true, … }. */
export function parseChord(text: string): Chord {
  const parts = text.split('+');
  // "+" itself would be the last part of "Mod++"; no shortcut uses it, so a plain split is enough.
  const key = parts.pop() ?? '';
  return { key: key === 'Space' ? ' ' : key, mod: parts.includes('Mod'), alt: parts.includes('Alt'), shift: parts.includes('Shift') };
}

export const chordsOf = (alternative: string): Chord[] => alternative.split(' ').map(parseChord);

const KEY_NAMES: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', ' ': 'Space', Escape: 'Esc' };

/** What a chord's keys are called on screen: ["Ctrl/⌘", "A"] (the server cannot know the user's platform). */
export function keyLabels(chord: Chord): string[] {
  const out: string[] = [];
  if (chord.mod) out.push('Ctrl/⌘');
  if (chord.alt) out.push('Alt');
  if (chord.shift) out.push('Shift');
  const name = KEY_NAMES[chord.key] ?? chord.key;
  // A letter that needs Ctrl reads as the key cap ("Ctrl+A"); a bare letter as what is typed ("u").
  out.push(chord.mod && name.length === 1 ? name.toUpperCase() : name);
  return out;
}

/** Each alternative as a list of steps, each step the labels of its keys, for templates to put in <kbd>. */
export function shortcutRows(): { id: ShortcutId; description: string; alternatives: string[][][] }[] {
  return SHORTCUTS.map((s) => ({ id: s.id, description: s.description, alternatives: s.keys.map((alt) => chordsOf(alt).map(keyLabels)) }));
}
