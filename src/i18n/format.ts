/**
 * Looking up and filling in messages: the part shared by the server (src/i18n/translator.ts) and the browser
 * (src/client/i18n.ts). Pure, no Node or DOM APIs.
 */

/** A message that depends on a count: Intl.PluralRules picks the form ('one', 'other', … as the language needs). */
export interface PluralMessage {
  readonly one?: string;
  readonly other: string;
  readonly zero?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
}

/** A catalogue: nested groups whose leaves are messages or plural messages. */
export interface MessageTree {
  readonly [key: string]: string | PluralMessage | MessageTree;
}

export type Params = Readonly<Record<string, string | number>>;

/** The dotted keys of a catalogue's messages ("browse.up", "browse.items"), for typed lookups. */
export type MessageKey<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : T[K] extends { other: string } ? `${P}${K}` : MessageKey<T[K], `${P}${K}.`>;
}[keyof T & string];

/** The same shape with every message widened to string, so another language must have exactly these keys. */
export type Translation<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : T[K] extends { other: string } ? PluralMessage : Translation<T[K]>;
};

export const isPlural = (v: unknown): v is PluralMessage => typeof v === 'object' && v !== null && typeof (v as { other?: unknown }).other === 'string';

/**
 * Each catalogue's answers by dotted key, kept once found: a page asks for ~150 messages, and splitting and
 * walking every key each time was 1–2% of the app's CPU under load (pages render per request). Catalogues are
 * immutable and their keys a fixed set, so the memo is bounded; unknown keys are not kept.
 */
const found = new WeakMap<MessageTree, Map<string, string | PluralMessage>>();

/** The message or plural message at a dotted key, or undefined. */
export function lookup(tree: MessageTree, key: string): string | PluralMessage | undefined {
  let memo = found.get(tree);
  const hit = memo?.get(key);
  if (hit !== undefined) return hit;
  const value = walk(tree, key);
  if (value !== undefined) {
    if (!memo) found.set(tree, (memo = new Map()));
    memo.set(key, value);
  }
  return value;
}

function walk(tree: MessageTree, key: string): string | PluralMessage | undefined {
  let node: string | PluralMessage | MessageTree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || isPlural(node)) return undefined;
    node = (node as MessageTree)[part];
  }
  return typeof node === 'string' || isPlural(node) ? node : undefined;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** The {names} a message uses, sorted (the completeness test compares them between languages). */
export function placeholdersOf(message: string): string[] {
  return [...new Set(Array.from(message.matchAll(PLACEHOLDER), (m) => m[1] ?? ''))].sort();
}

/**
 * Fills {name} from params. Numbers are put in as they are: where a page groups digits (1,234 / 1.234) the
 * caller formats them for the language first, so English text stays exactly as it was before translation.
 * A placeholder without a value stays as written, so a slip shows on the page instead of an empty gap.
 */
export function interpolate(message: string, params: Params | undefined): string {
  if (!params) return message;
  return message.replace(PLACEHOLDER, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

const pluralRules = new Map<string, Intl.PluralRules>();
/** The form of a plural message for a count in a language. */
export function pluralForm(message: PluralMessage, count: number, lang: string): string {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  const category = rules.select(count) as keyof PluralMessage;
  return message[category] ?? message.other;
}

/**
 * key + params → text in a catalogue. A plural message takes its form from params.count. With formatNumber,
 * number params are written with it once the form is chosen (the browser groups digits: "1,234 items").
 * An unknown key returns the key itself (the completeness test keeps that from shipping).
 */
export function translate(tree: MessageTree, lang: string, key: string, params?: Params, formatNumber?: (n: number) => string): string {
  const m = lookup(tree, key);
  if (m === undefined) return key;
  const text = typeof m === 'string' ? m : pluralForm(m, Number(params?.count ?? 0), lang);
  if (!params || !formatNumber) return interpolate(text, params);
  const written: Record<string, string> = {};
  for (const [name, v] of Object.entries(params)) written[name] = typeof v === 'number' ? formatNumber(v) : v;
  return interpolate(text, written);
}
