/**
 * The shipped languages. To add one: copy de.ts to <code>.ts, translate every message (the type makes a
 * missing or extra key a compile error), and add it to LANGUAGES, LANGUAGE_NAMES and CATALOGUES below.
 */
import type { MessageKey, MessageTree, Translation } from '../format.js';
import { de } from './de.js';
import { en } from './en.js';

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's own name for itself, for the settings page's choice. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', de: 'Deutsch' };

export type Catalogue = Translation<typeof en>;
export type MessageKeyOf = MessageKey<typeof en>;
/** Keys of the browser's strings (the `client` group), relative to it. */
export type ClientMessageKey = MessageKey<(typeof en)['client']>;

export const CATALOGUES: Readonly<Record<Language, Catalogue & MessageTree>> = { en, de };

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
