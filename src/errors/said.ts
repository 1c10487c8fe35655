/**
 * An error's message straight from the catalogue: `new NotFoundError(...said('errors.drive.noSuch'))` gives the
 * English text (for the API's `message` and the logs) and the key the pages translate. The English is the
 * catalogue's own, so the two cannot drift apart.
 */
import { CATALOGUES, type MessageKeyOf, translate } from '../i18n/index.js';
import { AppError, type AppErrorOptions } from './app-error.js';

export function said(key: MessageKeyOf, params?: Readonly<Record<string, string>>, options: AppErrorOptions = {}): [string, AppErrorOptions] {
  return [translate(CATALOGUES.en, 'en', key, params), { ...options, messageKey: key, ...(params === undefined ? {} : { messageParams: params }) }];
}

/** An AppError of a status without its own class (411, 422, …), its message from the catalogue. */
export function saidError(status: number, code: string, key: MessageKeyOf, params?: Readonly<Record<string, string>>, options: AppErrorOptions = {}): AppError {
  const [message, withKey] = said(key, params, options);
  return new AppError(status, message, code, withKey);
}
