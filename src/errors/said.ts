/**
 * An error's message straight from the catalogue: `new NotFoundError(...said('errors.drive.noSuch'))` gives the
 * English text (for the API's `message` and the logs) and the key the pages translate. The English is the
 * catalogue's own, so the two cannot drift apart.
 */
import { CATALOGUES, type MessageKeyOf, type Params, translate } from '../i18n/index.js';
import { AppError, type AppErrorOptions } from './app-error.js';

/** Number params in the English message as English writes them (the pages write them their language's way). */
const english = new Intl.NumberFormat('en');

export function said(key: MessageKeyOf, params?: Params, options: AppErrorOptions = {}): [string, AppErrorOptions] {
  return [translate(CATALOGUES.en, 'en', key, params, (n) => english.format(n)), { ...options, messageKey: key, ...(params === undefined ? {} : { messageParams: params }) }];
}

/** An AppError of a status without its own class (411, 422, …), its message from the catalogue. */
export function saidError(status: number, code: string, key: MessageKeyOf, params?: Params, options: AppErrorOptions = {}): AppError {
  const [message, withKey] = said(key, params, options);
  return new AppError(status, message, code, withKey);
}
