import { formatBytes } from '../../format/bytes.js';
import { existsSync, readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ejs from 'ejs';
import { type Application, type Request, type Response, Router } from 'express';
import { type Config, rootPath } from '../../config/index.js';
import { parseDrivePath, splitServerDriveId, takeDriveId, type DriveRef } from '../../drives/index.js';
import { type AppError, NotFoundError, toHttpError, said } from '../../errors/index.js';
import { type DriveSession, type FileEntry, type FileService, NotDirectoryError, IsDirectoryError } from '../../files/index.js';
import { driveTargetOf, findDrive, useDrive } from '../drive-target.js';
import { requireUser } from '../auth/current-user.js';
import { saveSettings, userSettingsOf } from '../settings/locals.js';
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import type { Translator } from '../../i18n/index.js';
import type { UserData } from '../../userdata/index.js';
import { fileTypeOf } from './file-types.js';
import {
  breadcrumbs,
  type BrowsePrefs,
  buildListing,
  driveUrl,
  entryViewer,
  type EntryView,
  fileHref,
  folderHref,
  prefsQuery,
  resolvePrefs,
  utcText,
} from './listing.js';

export { folderHref } from './listing.js';
export { TEXT_PREVIEW_BYTES } from '../../files/index.js';

/** Rows in the first write (what the browser can paint at once), then per chunk between yields. */
const FIRST_ROWS = 100;
const CHUNK_ROWS = 500;
const ROWS_MARKER = '<!--pc:rows-->';
const HEAD_MARKER = '<!--pc:head-->';

/** Where the error page sends the user back to, for errors under /browse (views/pages/error.ejs). */
export interface WayBack {
  parent?: { href: string; name: string };
  root?: { href: string; name: string };
  retry?: string;
}

/**
 * `/browse/<drive>/<path…>/` is a folder; `/browse/<drive>/<path…>/<file>` (no trailing slash) is that file's
 * preview page, so every file has a bookmarkable URL of its own, and it is where the file link goes without
 * JavaScript (with JavaScript the same link opens the preview modal). A folder URL without its slash, or a
 * file URL with one, is redirected to the right form. `GET /preview-text/<drive>/<path>` returns the first
 * 256 KiB of a file as text/plain for the preview modal.
 */
export function browseRoutes(config: Config, files: FileService, userData?: UserData): Router {
  const router = Router();

  router.use('/browse', requireUser, async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let item: string | undefined;
    try {
      // req.path is still percent-encoded: parseDrivePath decodes each segment exactly once.
      const { id: driveId, rest } = takeDriveId(req.path.split('/').slice(1));
      // `/browse/@<host>` without a share: the server's share list says what there is to open.
      const onServer = splitServerDriveId(driveId);
      if (onServer?.share === '' && rest.length === 0) return res.redirect(303, `/servers/${encodeURIComponent(onServer.server)}`);
      const drive = findDrive(config, req, res, driveId);
      if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
      const search = searchOf(req);
      if (rest.length === 0) return res.redirect(301, folderHref(drive, []) + search);
      // A path refused before it is parsed (400) still offers the drive's top.
      res.locals.wayBack = { root: { href: folderHref(drive, []), name: drive.name } } satisfies WayBack;
      item = drive.name;
      const raw = rest.join('/');
      const segments = parseDrivePath(raw);
      res.locals.wayBack = wayBackFor(drive, segments, req.originalUrl);
      item = segments.at(-1) ?? drive.name;
      const stored = userSettingsOf(res);
      const { prefs, fromQuery } = resolvePrefs(req.query as Record<string, unknown>, { view: stored.view, sort: stored.sort, order: stored.order, hidden: stored.showHidden });
      if (fromQuery && userData) await rememberPrefs(userData, req, res, prefs);
      const use = <T>(fn: (d: DriveSession, path: string) => Promise<T>): Promise<T> =>
        useDrive(files, req, { drive, segments, trailingSlash: raw.endsWith('/') }, fn, { idempotent: true });

      if (segments.length > 0 && !raw.endsWith('/')) {
        const stat = await use((d, path) => d.stat(path));
        if (stat.type === 'dir') return res.redirect(301, folderHref(drive, segments) + search);
        const type = fileTypeOf(stat.name || item);
        const text = type.kind === 'text' ? await use((d, path) => d.readTextHead(path)) : undefined;
        res.setHeader('Cache-Control', 'no-store');
        return res.render('pages/preview', {
          title: item,
          drive,
          crumbs: breadcrumbs(drive, segments),
          name: item,
          type: { ...type, label: translatorOf(res).t(type.labelKey, { ext: type.ext.toUpperCase() }) },
          size: formatBytes(Number(stat.size), translatorOf(res).lang),
          modifiedIso: stat.mtime.toISOString(),
          modifiedUtc: utcText(stat.mtime),
          folderHref: folderHref(drive, segments.slice(0, -1)),
          downloadHref: driveUrl('download', drive, segments),
          viewHref: driveUrl('view', drive, segments),
          text,
        });
      }

      const page = new FolderPage(req, res, drive, segments, prefs);
      let folder;
      try {
        // A big folder's page head (navbar, breadcrumbs, toolbar) goes out as soon as the first batch says the
        // folder is there and big, while the rest is read: the browser paints it and fetches the styles meanwhile.
        folder = await use((d, path) => d.list(path, config.listing.maxEntries, () => page.sendHeadEarly()));
      } catch (err) {
        if (await page.headSent()) {
          const error = toHttpError(err, item);
          page.endWithError(error);
          return next(error); // logged (and mailed, if unexpected) as usual; the page has already ended
        }
        if (err instanceof NotDirectoryError) return res.redirect(301, fileHref(drive, segments) + search);
        throw err;
      }
      const listing = await buildListing(folder.entries, prefs, nextTurn);
      await page.stream(listing.entries, {
        hiddenCount: listing.hiddenCount,
        total: listing.total,
        truncatedAt: folder.truncated ? config.listing.maxEntries : undefined,
      });
    } catch (err) {
      next(toHttpError(err, item));
    }
  });

  router.use('/preview-text', requireUser, async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let item: string | undefined;
    try {
      const target = driveTargetOf(config, req, res);
      item = target.segments.at(-1);
      if (!item) throw new NotFoundError(...said('errors.drive.isDrive'));
      const head = await useDrive(files, req, target, (d, path) => d.readTextHead(path), { idempotent: true });
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      // Shown escaped in a <pre>; should anyone open it directly it is still inert text.
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('X-Preview-Truncated', head.truncated ? '1' : '0');
      res.send(head.text);
    } catch (err) {
      if (err instanceof IsDirectoryError) return next(new NotFoundError(...said('errors.drive.isFolder', { item: item ?? '' })));
      next(toHttpError(err, item));
    }
  });

  return router;
}

function searchOf(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q < 0 ? '' : req.originalUrl.slice(q);
}

function wayBackFor(drive: DriveRef, segments: string[], retry?: string): WayBack {
  const root = { href: folderHref(drive, []), name: drive.name };
  if (segments.length === 0) return { ...(retry ? { retry } : {}) };
  const parentSegments = segments.slice(0, -1);
  const parent = { href: folderHref(drive, parentSegments), name: parentSegments.at(-1) ?? drive.name };
  return { parent, ...(parentSegments.length > 0 ? { root } : {}), ...(retry ? { retry } : {}) };
}

/**
 * A view, sort or hidden choice made in the URL (the toolbar's controls) becomes the user's setting, as on
 * /settings: the next folder, on any device, opens the same way. Written only when it changes anything.
 */
async function rememberPrefs(userData: UserData, req: Request, res: Response, prefs: BrowsePrefs): Promise<void> {
  const s = userSettingsOf(res);
  if (!res.locals.userDataLoaded || (s.view === prefs.view && s.sort === prefs.sort && s.order === prefs.order && s.showHidden === prefs.hidden)) return;
  try {
    await saveSettings(userData, req, res, { view: prefs.view, sort: prefs.sort, order: prefs.order, showHidden: prefs.hidden });
  } catch {
    // The folder still opens as the URL asks; only remembering the choice failed (the store is unreachable).
  }
}

type RowsTemplate = (data: { entries: EntryView[]; prefs: BrowsePrefs; t: Translator['t'] }) => string;
let cachedRows: RowsTemplate | undefined;

function rowsTemplate(app: Application): RowsTemplate {
  if (cachedRows && app.enabled('view cache')) return cachedRows;
  const filename = rootPath('views', 'partials', 'browse-rows.ejs');
  // Without EJS's default `with (locals)` wrapper: every name the template reads inside `with` is a dynamic
  // lookup V8 cannot optimise. Rendering 10,000 rows took ~290 ms with it, ~45 ms without (same HTML), most
  // of the 10,000-entry page's time after the listing. The template reads only `entries`, `prefs` and `t`.
  const compiled = ejs.compile(readFileSync(filename, 'utf8'), { filename, rmWhitespace: true, _with: false, destructuredLocals: ['entries', 'prefs', 't'] });
  cachedRows = (data) => compiled(data);
  return cachedRows;
}

function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, locals, (err: Error | null, html?: string) => (err || html === undefined ? reject(err ?? new Error('empty render')) : resolve(html)));
  });
}

/** Whether the upload partial is there: asked of the disk once while views are cached (a syscall per page otherwise). */
let uploadPartial: boolean | undefined;
function hasUploadPartial(app: Application): boolean {
  if (uploadPartial !== undefined && app.enabled('view cache')) return uploadPartial;
  uploadPartial = existsSync(rootPath('views', 'partials', 'upload.ejs'));
  return uploadPartial;
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

interface FolderCounts {
  hiddenCount: number;
  total: number;
  truncatedAt: number | undefined;
}

/**
 * The folder page, streamed: the page head with the first rows goes out at once, then the rest in chunks,
 * yielding to the event loop between them (and waiting for 'drain' when the client reads slowly), so a
 * 10,000-entry folder neither delays its first paint nor blocks other requests. For a big folder the head (all
 * above HEAD_MARKER, which depends on the path only) may go out before the listing is read: sendHeadEarly.
 */
class FolderPage {
  private early: Promise<boolean> | undefined;

  constructor(
    private readonly req: Request,
    private readonly res: Response,
    private readonly drive: DriveRef,
    private readonly segments: string[],
    private readonly prefs: BrowsePrefs,
  ) {}

  private render(count: number, counts: FolderCounts): Promise<string> {
    const { drive, segments, prefs } = this;
    return renderToString(this.res, 'pages/browse', {
      title: segments.at(-1) ?? drive.name,
      drive,
      segments,
      crumbs: breadcrumbs(drive, segments),
      upHref: segments.length > 0 ? folderHref(drive, segments.slice(0, -1)) : undefined,
      upName: segments.length > 1 ? segments.at(-2) : drive.name,
      prefs,
      q: (change: Partial<BrowsePrefs>) => prefsQuery(prefs, change),
      count,
      hiddenCount: counts.hiddenCount,
      total: counts.total,
      truncatedAt: counts.truncatedAt,
      zipHref: driveUrl('zip', drive, segments, true),
      hasUpload: hasUploadPartial(this.req.app),
      rowsMarker: ROWS_MARKER,
      headMarker: HEAD_MARKER,
    });
  }

  private begin(): void {
    this.res.status(200);
    this.res.type('html');
    this.res.setHeader('Cache-Control', 'no-store');
  }

  /** Sends the page head now, once (later calls, as from a retried listing, do nothing). */
  sendHeadEarly(): void {
    this.early ??= this.render(1, { hiddenCount: 0, total: 1, truncatedAt: undefined }).then(
      (html) => {
        if (this.res.headersSent || this.res.destroyed) return false;
        this.begin();
        this.res.write(html.slice(0, html.indexOf(HEAD_MARKER)));
        return true;
      },
      // The whole page is rendered again at the end; a failure there is reported as usual.
      () => false,
    );
  }

  /** Whether the head went out early (waits for an early head still being rendered). */
  headSent(): Promise<boolean> {
    return this.early ?? Promise.resolve(false);
  }

  /** The listing failed after the head went out: the page says so, in place of the rows, and the error is logged. */
  endWithError(error: AppError): void {
    const message = translatorOf(this.res).t('browse.readFailed', { message: userMessageOf(this.res, error) });
    this.res.end(`<div class="alert alert-danger pc-read-failed" role="alert">${ejs.escapeXML(message)}</div></main></body></html>`);
  }

  async stream(entries: FileEntry[], counts: FolderCounts): Promise<void> {
    const { req, res, drive, segments, prefs } = this;
    const html = await this.render(entries.length, counts);
    const early = await this.headSent();
    if (res.destroyed) return;
    if (!early) this.begin();
    const headEnd = html.indexOf(HEAD_MARKER);
    // With an early head the page goes on from where the head ended; without one it goes out whole from here.
    const page = early ? html.slice(headEnd + HEAD_MARKER.length) : html.slice(0, headEnd) + html.slice(headEnd + HEAD_MARKER.length);
    const at = page.indexOf(ROWS_MARKER);
    if (at < 0 || entries.length === 0) {
      res.end(page.replace(ROWS_MARKER, ''));
      return;
    }
    const rows = rowsTemplate(req.app);
    const tr = translatorOf(res);
    const view = entryViewer(drive, segments, tr.lang);
    const chunk = (from: number, to: number): string => rows({ entries: entries.slice(from, to).map(view), prefs, t: tr.t });
    res.write(page.slice(0, at) + chunk(0, FIRST_ROWS));
    for (let i = FIRST_ROWS; i < entries.length; i += CHUNK_ROWS) {
      if (res.destroyed) return;
      const ok = res.write(chunk(i, i + CHUNK_ROWS));
      if (ok) await nextTurn();
      else await drained(res);
    }
    if (res.destroyed) return;
    res.end(page.slice(at + ROWS_MARKER.length));
  }
}
