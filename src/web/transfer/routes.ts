/**
 * Downloads: `/download/<drive>/<path>` (attachment), `/view/<drive>/<path>` (inline for safe types only),
 * `/thumb/<drive>/<path>` (image thumbnail), `/zip/<drive>/<folder>/` (GET: the whole folder; POST with
 * repeated form field `name`: those entries of the folder). Uploads live beside these (upload*.ts).
 */
import { join } from 'node:path';
import { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import { parseDrivePath } from '../../drives/index.js';
import { AppError, BadRequestError, NotFoundError, toHttpError, said, saidError } from '../../errors/index.js';
import type { Logger } from '../../log.js';
import type { FileEntry, FileService } from '../../files/index.js';
import { isThumbnailable, ThumbnailService, ThumbnailTooLargeError, ThumbnailUnreadableError } from '../../thumbnails/index.js';
import { requireUser } from '../auth/current-user.js';
import { driveTargetOf, sharePath, useDrive } from '../drive-target.js';
import { dispositionHeader } from './http-file.js';
import { ATTACHMENT_CSP, sendFile, type SendMode } from './send-file.js';
import { streamZip } from './zip.js';

export interface TransferOptions {
  /** Overrides the thumbnail service (tests); by default one caching in `<DATA_DIR>/thumbnails`. */
  thumbnails?: ThumbnailService;
}

const readOnly = (req: Request): boolean => req.method === 'GET' || req.method === 'HEAD';

export function transferRoutes(config: Config, files: FileService, logger: Logger, options: TransferOptions = {}): Router {
  const router = Router();
  const thumbs = options.thumbnails ?? new ThumbnailService({ dir: join(config.dataDir, 'thumbnails'), cacheMaxBytes: config.thumbnails.cacheMaxBytes, logger });

  /**
   * After headers went out there is no error page to send: a client that went away is only worth a debug
   * line; anything else goes to the error middleware, which logs it and destroys the socket.
   */
  const failed = (req: Request, res: Response, next: NextFunction, err: unknown): void => {
    const original = err instanceof AppError && err.cause !== undefined ? err.cause : err;
    const code = (original as { code?: unknown } | null)?.code;
    if (res.headersSent && code === 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.debug('download ended early by the client', { path: req.originalUrl.split('?')[0] });
      res.destroy();
      return;
    }
    next(err);
  };

  const file = (mode: SendMode): RequestHandler => (req, res, next) => {
    if (!readOnly(req)) return next();
    sendFile(config, files, req, res, mode).catch((err: unknown) => failed(req, res, next, err));
  };
  router.use('/download', requireUser, file('download'));
  router.use('/view', requireUser, file('view'));

  router.use('/thumb', requireUser, (req, res, next) => {
    if (!readOnly(req)) return next();
    void (async () => {
      const target = driveTargetOf(config, req, res);
      const name = target.segments.at(-1);
      if (name === undefined) throw new NotFoundError(...said('errors.download.noThumbnailForDrive'));
      const path = sharePath(target.drive.basePath, target.segments);
      try {
        // The cache is shared by every user (one thumbnail per file version), so each request must first show
        // that this user may read the file's data on the file server: a stat with read-data access, with the
        // user's own connection. Seeing the file in a listing (read-attributes) is not enough.
        const { stats: st, fileId } = await useDrive(files, req, target, (d, p) => d.statWithId(p, { readData: true }), { idempotent: true });
        if (st.type === 'dir' || !isThumbnailable(name)) throw new NotFoundError(...said('errors.download.noThumbnail', { item: name }, { code: 'no_thumbnail' }));
        const key = ThumbnailService.keyOf({ server: `${target.drive.host}:${target.drive.port}`, share: target.drive.share, path, fileId, size: Number(st.size), mtime: st.mtime, ctime: st.ctime });
        const etag = `"t${key.slice(0, 26)}"`;
        res.setHeader('ETag', etag);
        res.setHeader('Cache-Control', 'private, no-cache');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Security-Policy', ATTACHMENT_CSP);
        if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
          res.status(304).end();
          return;
        }
        const thumb = await thumbs.get(key, Number(st.size), () => useDrive(files, req, target, (d, p) => d.readFile(p), { idempotent: true }));
        res.type('image/webp').send(thumb.data);
      } catch (err) {
        if (err instanceof ThumbnailTooLargeError) {
          throw saidError(413, 'thumbnail_too_large', 'errors.download.thumbnailTooLarge', { item: name, mb: String(Math.round(thumbs.maxInputBytes / 1048576)), mp: String(Math.round(thumbs.maxInputPixels / 1e6)) }, { cause: err });
        }
        if (err instanceof ThumbnailUnreadableError) throw saidError(422, 'thumbnail_unreadable', 'errors.download.thumbnailUnreadable', { item: name }, { cause: err });
        throw toHttpError(err, name);
      }
    })().catch(next);
  });

  router.use('/zip', requireUser, (req, res, next) => {
    if (!readOnly(req) && req.method !== 'POST') return next();
    void (async () => {
      const target = driveTargetOf(config, req, res);
      const folderName = target.segments.at(-1) ?? target.drive.name;
      const names = req.method === 'POST' ? selectedNames(req.body) : undefined;
      try {
        const items = await useDrive(
          files,
          req,
          target,
          async (d, path) => {
            if (target.segments.length > 0) {
              const st = await d.stat(path);
              if (st.type !== 'dir') throw new BadRequestError(...said('errors.download.isFile', { item: folderName }));
            }
            // A whole folder is read by the walk itself, which stops at the zip limits as it reads.
            let roots: FileEntry[] | undefined;
            if (names) {
              roots = [];
              for (const n of names) roots.push({ ...(await d.stat(path === '' ? n : `${path}/${n}`)), name: n });
            }
            return d.walk(path, roots, config.zip);
          },
          { idempotent: true },
        );
        res.setHeader('Content-Type', 'application/zip');
        res.setHeader('Content-Disposition', dispositionHeader('attachment', `${names?.length === 1 ? (names[0] ?? folderName) : folderName}.zip`));
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Security-Policy', ATTACHMENT_CSP);
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        await useDrive(files, req, target, (d) => streamZip(d, items, res), { idempotent: false });
      } catch (err) {
        throw toHttpError(err, folderName);
      }
    })().catch((err: unknown) => failed(req, res, next, err));
  });

  return router;
}

/** The `name` fields of a zip form: names of entries in the folder, each one valid path segment. */
function selectedNames(body: unknown): string[] {
  const raw: unknown = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).name : undefined;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  const names = [...new Set(list.filter((n): n is string => typeof n === 'string'))];
  if (names.length === 0) throw new BadRequestError(...said('errors.download.selectSome'));
  for (const n of names) {
    const parsed = parseDrivePath(encodeURIComponent(n));
    if (parsed.length !== 1 || parsed[0] !== n) throw new BadRequestError(...said('errors.form.badSelection'));
  }
  return names;
}
