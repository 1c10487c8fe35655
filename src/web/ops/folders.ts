/**
 * `GET /api/files/folders?drive=<id>&path=<a/b>`: the subfolders of a folder, for the destination picker of
 * copy and move (JSON `{drive, path, folders:[{name, path}]}`, sorted as the folder page sorts names). Hidden
 * entries (dot folders, Windows' own, upload temporaries) are left out, as the folder page leaves them out.
 */
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { NotFoundError, toHttpError, said } from '../../errors/index.js';
import type { FileService } from '../../files/index.js';
import { pathSegments } from '../api/files-routes.js';
import { requireUser } from '../auth/current-user.js';
import { isHiddenEntry, sortEntries } from '../browse/listing.js';
import { filesOf, findDrive } from '../drive-target.js';

export function folderRoutes(config: Config, files: FileService): Router {
  const router = Router();
  router.get('/api/files/folders', requireUser, async (req, res, next) => {
    let item: string | undefined;
    try {
      const id = typeof req.query.drive === 'string' ? req.query.drive : '';
      const drive = findDrive(config, req, res, id);
      if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
      const segments = pathSegments(typeof req.query.path === 'string' ? req.query.path : '');
      item = segments[segments.length - 1] ?? drive.name;
      const read = await filesOf(files, req, drive).list(segments, config.listing.maxEntries);
      const dirs = read.entries.filter((e) => e.type === 'dir' && e.name !== '.' && e.name !== '..' && !isHiddenEntry(e));
      const path = segments.join('/');
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        drive: drive.id,
        path,
        truncated: read.truncated,
        folders: sortEntries(dirs, 'name', 'asc').map((e) => ({ name: e.name, path: path ? `${path}/${e.name}` : e.name })),
      });
    } catch (err) {
      next(toHttpError(err, item));
    }
  });
  return router;
}
