/**
 * Which language a response speaks, and the helpers pages use for it (res.locals.t, tHtml, n, lang,
 * clientMessages). The signed-in user's "Language" setting wins; "Automatic" (and signed-out visitors) follow
 * Accept-Language; English otherwise. Runs twice: early, so every page (sign-in, errors) has it from the header,
 * and again once the user's settings are loaded.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AppError } from '../../errors/index.js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, type Language, LANGUAGES, negotiateLanguage, type Translator, translatorFor } from '../../i18n/index.js';

function languageFor(req: Request, res: Response): Language {
  const chosen = (res.locals.userSettings as { language?: unknown } | undefined)?.language;
  if (isLanguage(chosen)) return chosen;
  return negotiateLanguage(req.get('accept-language'), LANGUAGES, DEFAULT_LANGUAGE);
}

/** What templates use: t(), tHtml(), n(), lang, clientMessages() and escapeHtml(). */
export function languageHelpers(lang: Language): Record<string, unknown> {
  const tr = translatorFor(lang);
  return { translator: tr, lang, t: tr.t, tHtml: tr.tHtml, n: tr.n, clientMessages: tr.clientJson, escapeHtml };
}

/** Puts a language's helpers on the response. */
export function useLanguage(res: Response, lang: Language): void {
  Object.assign(res.locals, languageHelpers(lang));
  res.setHeader('Content-Language', lang);
}

export function languageLocals(): RequestHandler {
  return (req, res, next) => {
    useLanguage(res, languageFor(req, res));
    // The same URL answers in another language for another header: caches must key on it.
    res.vary('Accept-Language');
    next();
  };
}

/**
 * What a user reads for an error, in the response's language: the catalogue's message where the error names one,
 * else its English message; the generic text for anything not meant for users (or no error at all).
 */
export function userMessageOf(res: Response, error: AppError | undefined): string {
  const { t, tn } = translatorOf(res);
  if (!error?.expose) return t('errors.internal');
  return error.messageKey ? tn(error.messageKey, error.messageParams) : error.message;
}

/** The response's translator (English where no middleware ran, e.g. a test app). */
export const translatorOf = (res: Response): Translator => (res.locals.translator as Translator | undefined) ?? translatorFor(DEFAULT_LANGUAGE);
