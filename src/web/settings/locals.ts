/**
 * The signed-in user's settings and bookmarks for pages: `res.locals.userSettings` (the contract other areas
 * read, never write) and `res.locals.bookmarks` (the navbar's menu, the folder view's button).
 */
import type { Request, RequestHandler, Response } from 'express';
import { ConflictError, said } from '../../errors/index.js';
import type { Logger } from '../../log.js';
import { type Bookmark, DEFAULT_SETTINGS, type UserData, type UserSettings } from '../../userdata/index.js';

/**
 * Loaded for pages only: a navigation (Accept names text/html) or a GET under the areas that render with them.
 * Downloads, thumbnails and API calls skip the store read (a grid of 200 thumbnails is 200 requests). A form
 * posted without JavaScript asks for HTML too, and may be answered with a page (a delete's confirmation, a refused
 * name, an error page): that page wears the user's theme and speaks the user's language like any other.
 */
function wantsPage(req: Request): boolean {
  if ((req.get('accept') ?? '').includes('text/html')) return true;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return /^\/(browse|settings|bookmarks)(\/|$)/.test(req.path);
}

export function userDataLocals(userData: UserData, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const user = req.session?.user;
    if (!res.locals.user || !user) return next();
    res.locals.userSettings = { ...DEFAULT_SETTINGS } satisfies UserSettings;
    res.locals.bookmarks = [] satisfies Bookmark[];
    if (!user.guid || !wantsPage(req)) return next();
    try {
      const view = await userData.load(user.guid);
      res.locals.userSettings = view.settings;
      res.locals.bookmarks = view.bookmarks;
      res.locals.userDataLoaded = true;
    } catch (err) {
      // The page still works with the defaults; saving will say the store is unavailable.
      logger.warn('could not read the user’s settings and bookmarks', { err });
    }
    next();
  };
}

export const userSettingsOf = (res: Response): UserSettings => (res.locals.userSettings as UserSettings | undefined) ?? { ...DEFAULT_SETTINGS };
export const bookmarksOf = (res: Response): Bookmark[] => (res.locals.bookmarks as Bookmark[] | undefined) ?? [];

/** The key of the user's stored data. Sessions signed in before objectGUID was read have none. */
export function guidOf(req: Request): string {
  const guid = req.session?.user?.guid;
  if (!guid) throw new ConflictError(...said('errors.form.cannotSaveSettings', undefined, { code: 'no_user_guid' }));
  return guid;
}

/** Saves a change and shows it on this very response. */
export async function saveSettings(userData: UserData, req: Request, res: Response, patch: Partial<UserSettings>): Promise<UserSettings> {
  const saved = await userData.saveSettings(guidOf(req), patch);
  res.locals.userSettings = saved;
  return saved;
}
