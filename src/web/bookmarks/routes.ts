/**
 * Bookmarks: add (the folder view's "Bookmark this folder" form), the /bookmarks page (rename, move, delete;
 * plain forms, so all of it works without JavaScript; src/client/bookmarks.ts adds drag and drop), and
 * /bookmarks/<id>, which opens the folder or, when it is gone, says so and offers to remove the bookmark.
 */
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import { type Request, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import { parseDrivePath } from '../../drives/index.js';
import { AppError, BadRequestError, NotFoundError, toHttpError, said } from '../../errors/index.js';
import type { FileService } from '../../files/index.js';
import { type Bookmark, BOOKMARK_LIMITS, defaultBookmarkName, isBookmarkId, type UserData } from '../../userdata/index.js';
import { drivesOf, requireUser } from '../auth/current-user.js';
import { findDrive, useDrive } from '../drive-target.js';
import { bookmarksOf, guidOf } from '../settings/locals.js';
import { folderUrl, openHref } from './href.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** "Shared › Projects › Apollo": the drive by its menu name where the user still has it, else its id. */
const whereOf = (res: Response, b: Pick<Bookmark, 'drive' | 'path'>): string => [drivesOf(res).find((d) => d.id === b.drive)?.name ?? b.drive, ...b.path].join(' › ');
const wantsJson = (req: Request): boolean => req.accepts(['html', 'json']) === 'json';


/** The id from the URL; whether the user has it is the store's answer (404), from what is stored now. */
function idOf(req: Request): string {
  const id = req.params.id;
  if (!isBookmarkId(id)) throw new NotFoundError(...said('errors.bookmark.gone'));
  return id;
}

async function bookmarkOf(userData: UserData, req: Request): Promise<Bookmark> {
  const id = idOf(req);
  const found = (await userData.load(guidOf(req))).bookmarks.find((b) => b.id === id);
  if (!found) throw new NotFoundError(...said('errors.bookmark.gone'));
  return found;
}

/** After a change: JSON callers get 204, forms go back to the list (focus on the moved item's button). */
function done(req: Request, res: Response, query = ''): void {
  if (wantsJson(req)) res.status(204).end();
  else res.redirect(303, `/bookmarks${query}`);
}

export function bookmarkRoutes(config: Config, files: FileService, userData: UserData): Router {
  const router = Router();
  router.use('/bookmarks', requireUser);

  router.get('/bookmarks', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const moved = str(req.query.moved);
    res.render('pages/bookmarks', {
      title: translatorOf(res).t('bookmarks.menu'),
      list: bookmarksOf(res).map((b) => ({ ...b, href: openHref(b), where: whereOf(res, b) })),
      moved: { id: moved, dir: str(req.query.dir) },
      notice: str(req.query.done),
      limits: BOOKMARK_LIMITS,
    });
  });

  // "Bookmark this folder": back to the folder with a note, so the button shows its new state.
  router.post('/bookmarks', async (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const driveId = str(body.drive);
    let back = '/bookmarks';
    try {
      // The path comes as the folder URL writes it (percent-encoded segments) and passes the same safety checks.
      const path = parseDrivePath(str(body.path));
      back = folderUrl(driveId, path);
      const name = path.at(-1) ?? findDrive(config, req, res, driveId)?.name ?? driveId;
      const { bookmark, added } = await userData.addBookmark(guidOf(req), { drive: driveId, path, name: defaultBookmarkName(name) });
      if (wantsJson(req)) return res.status(added ? 201 : 200).json({ bookmark });
      req.session.flash = { kind: 'success', text: translatorOf(res).t(added ? 'errors.misc.bookmarkAdded' : 'errors.misc.bookmarkExists', { name: bookmark.name }) };
      res.redirect(303, back);
    } catch (err) {
      if (wantsJson(req) || !(err instanceof AppError) || back === '/bookmarks') return next(err);
      req.session.flash = { kind: 'danger', text: userMessageOf(res, err) };
      res.redirect(303, back);
    }
  });

  router.post('/bookmarks/:id/rename', async (req, res, next) => {
    try {
      await userData.renameBookmark(guidOf(req), idOf(req), (req.body as Record<string, unknown>).name);
      done(req, res, '?done=renamed');
    } catch (err) {
      next(err);
    }
  });

  router.post('/bookmarks/:id/move', async (req, res, next) => {
    try {
      const id = idOf(req);
      const body = req.body as Record<string, unknown>;
      const dir = str(body.dir);
      if (dir === 'up' || dir === 'down') {
        await userData.moveBookmarkBy(guidOf(req), id, dir === 'up' ? -1 : 1);
        return done(req, res, `?moved=${id}&dir=${dir}`);
      }
      const to = Number(str(body.to));
      if (!/^\d+$/.test(str(body.to)) || !Number.isSafeInteger(to)) throw new BadRequestError(...said('errors.form.bookmarkWhere'));
      await userData.moveBookmarkTo(guidOf(req), id, to);
      done(req, res, `?moved=${id}`);
    } catch (err) {
      next(err);
    }
  });

  router.post('/bookmarks/:id/delete', async (req, res, next) => {
    try {
      await userData.removeBookmark(guidOf(req), idOf(req));
      done(req, res, '?done=removed');
    } catch (err) {
      next(err);
    }
  });

  // Following a bookmark: the folder when it is there; a clear page with "Remove this bookmark" when not.
  router.get('/bookmarks/:id', async (req, res, next) => {
    try {
      const b = await bookmarkOf(userData, req);
      const url = folderUrl(b.drive, b.path);
      const drive = findDrive(config, req, res, b.drive);
      let gone = drive === undefined;
      if (drive && b.path.length > 0) {
        try {
          const st = await useDrive(files, req, { drive, segments: b.path, trailingSlash: true }, (d, path) => d.stat(path), { idempotent: true });
          gone = st.type !== 'dir';
        } catch (err) {
          const mapped = toHttpError(err, b.path.at(-1));
          if (!(mapped instanceof NotFoundError)) throw mapped;
          gone = true;
        }
      }
      if (!gone) return res.redirect(303, url);
      res.status(404);
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/bookmark-missing', { title: translatorOf(res).t('bookmarks.folderNotFound'), bookmark: b, where: whereOf(res, b), driveGone: drive === undefined });
    } catch (err) {
      next(err);
    }
  });

  return router;
}
