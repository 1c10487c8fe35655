import { type Request, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import { drivesFor, parseDrivePath, type DriveRef } from '../../drives/index.js';
import { NotFoundError } from '../../errors/index.js';
import type { SmbPool } from '../../sessions/index.js';
import type { DirEntry } from '../../smb/index.js';
import { credentialFor, drivesOf, requireUser } from '../auth/current-user.js';

export interface FolderEntryView {
  name: string;
  isDir: boolean;
  href: string;
  size: string;
  modified: Date;
}

/** `/browse/<drive>/<path…>`: a folder of one of the user's drives. */
export function browseRoutes(config: Config, pool: SmbPool): Router {
  const router = Router();

  router.use('/browse', requireUser, async (req, res, next) => {
    try {
      // req.path is still percent-encoded: parseDrivePath decodes each segment exactly once.
      const [, driveId = '', ...rest] = req.path.split('/');
      const drive = findDrive(config, req, res, driveId);
      if (!drive) throw new NotFoundError('There is no drive by that name, or it is not yours to open.');
      if (rest.length === 0) return res.redirect(301, `/browse/${encodeURIComponent(drive.id)}/`);
      const segments = parseDrivePath(rest.join('/'));
      const entries = await pool.use(req.sessionID, credentialFor(req), drive, (share, base) => share.readdir([...base, ...segments].join('/')), {
        idempotent: true,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/browse', {
        title: segments.at(-1) ?? drive.name,
        drive,
        crumbs: breadcrumbs(drive, segments),
        entries: toViews(drive, segments, entries),
      });
    } catch (err) {
      next(err);
    }
  });

  return router;
}

/**
 * A drive from the menu, or one the menu hides because of its groups: a URL to a hidden drive still goes to
 * the file server, with the user's own credentials, and the server's refusal (403) is the answer. The app
 * never grants more than the user's own SMB rights, so hiding is a convenience, not the boundary.
 */
function findDrive(config: Config, req: Request, res: Response, id: string): DriveRef | undefined {
  const user = req.session.user;
  return drivesOf(res).find((d) => d.id === id) ?? (user ? drivesFor(user, config, undefined, { ignoreGroups: true }).find((d) => d.id === id) : undefined);
}

export function folderHref(drive: DriveRef, segments: string[]): string {
  return `/browse/${encodeURIComponent(drive.id)}/${segments.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
}

function breadcrumbs(drive: DriveRef, segments: string[]): { name: string; href: string }[] {
  return [{ name: drive.name, href: folderHref(drive, []) }, ...segments.map((name, i) => ({ name, href: folderHref(drive, segments.slice(0, i + 1)) }))];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function toViews(drive: DriveRef, segments: string[], entries: DirEntry[]): FolderEntryView[] {
  return entries
    .filter((e) => e.name !== '.' && e.name !== '..' && !e.hidden && !e.name.startsWith('.'))
    .sort((a, b) => (a.type === b.type ? collator.compare(a.name, b.name) : a.type === 'dir' ? -1 : 1))
    .map((e) => ({
      name: e.name,
      isDir: e.type === 'dir',
      href: e.type === 'dir' ? folderHref(drive, [...segments, e.name]) : '',
      size: e.type === 'dir' ? '' : humanSize(Number(e.size)),
      modified: e.mtime,
    }));
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
