/**
 * GET /search/<drive>/<path…>/?q=…[&tab=…][&seconds=&depth=&visited=&results=]: names below a folder.
 * - `Accept: application/x-ndjson`: one JSON object per line, each written as it is found:
 *   {"type":"start",…}, then {"type":"hit",…} per match, then {"type":"end",…} with the count and, when a limit
 *   cut the search short, `limit`, `note` and `deeperHref`. An error before the first line is a status with one
 *   {"type":"error",…} line; one after it is an error line, then the end of the stream.
 * - Otherwise an HTML page (no JavaScript needed), its results also written as they are found.
 * A search runs until it ends, hits a limit, or is cancelled: the client goes away (Stop, leaving the page), or a
 * newer search from the same tab (`tab`) replaces it. Past the per-user or total cap: 429 with Retry-After.
 */
import { languageHelpers, translatorOf, userMessageOf } from '../i18n/middleware.js';
import { readFileSync } from 'node:fs';
import ejs from 'ejs';
import { type Application, type Request, type Response, Router } from 'express';
import { type Config, rootPath } from '../../config/index.js';
import { BadRequestError, toHttpError, said } from '../../errors/index.js';
import { type FileService, nameMatcher, SearchBusyError, type SearchHit, SearchSlots, type SearchSummary } from '../../files/index.js';
import type { Logger } from '../../log.js';
import { requireUser } from '../auth/current-user.js';
import { breadcrumbs, folderHref } from '../browse/listing.js';
import { driveTargetOf, filesOf } from '../drive-target.js';
import { endView, hitView, requestedLimits, searchHref, toSearchLimits, type EndView, type HitView } from './present.js';

export const NDJSON = 'application/x-ndjson';
const MAX_QUERY = 200;
const HITS_MARKER = '<!--pc:hits-->';
const SUMMARY_MARKER = '<!--pc:summary-->';

type Partial = (locals: Record<string, unknown>) => string;
const partials = new Map<string, Partial>();
function partial(app: Application, name: string): Partial {
  const cached = partials.get(name);
  if (cached && app.enabled('view cache')) return cached;
  const filename = rootPath('views', 'partials', `${name}.ejs`);
  const compiled = ejs.compile(readFileSync(filename, 'utf8'), { filename });
  partials.set(name, compiled);
  return compiled;
}

function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, locals, (err: Error | null, html?: string) => (err || html === undefined ? reject(err ?? new Error('empty render')) : resolve(html)));
  });
}

/** Aborted when the client goes away before the answer is complete (Stop, another page, a closed tab). */
function abortOnDisconnect(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new Error('the client went away'));
  });
  return ac.signal;
}

function tabOf(req: Request): string | undefined {
  const tab = req.query.tab;
  if (tab === undefined) return undefined;
  if (typeof tab !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(tab)) throw new BadRequestError(...said('errors.search.badTab'));
  return tab;
}

export function searchRoutes(config: Config, files: FileService, logger: Logger): Router {
  const router = Router();
  const slots = new SearchSlots({ perUser: config.search.perUser, total: config.search.total });

  router.use('/search', requireUser, async (req, res, next) => {
    if (req.method !== 'GET') return next();
    const ndjson = (req.get('accept') ?? '').includes(NDJSON);
    let item: string | undefined;
    let release: (() => void) | undefined;
    // Lines or HTML already went out: an error can only be told in the body, and the body then ends.
    let started = false;
    let tail = '';
    try {
      // req.path is still percent-encoded here: driveTargetOf decodes each segment once and refuses `..`.
      const target = driveTargetOf(config, req, res);
      const qAt = req.originalUrl.indexOf('?');
      if (!target.trailingSlash && target.segments.length > 0) return res.redirect(301, searchHref(target.drive, target.segments) + (qAt < 0 ? '' : req.originalUrl.slice(qAt)));
      const { drive, segments } = target;
      item = segments.at(-1) ?? drive.name;
      const rawQuery = req.query.q;
      if (rawQuery !== undefined && typeof rawQuery !== 'string') throw new BadRequestError(...said('errors.search.oneName'));
      const query = (rawQuery ?? '').trim();
      if (query.length > MAX_QUERY) throw new BadRequestError(...said('errors.search.tooLong', { max: String(MAX_QUERY) }));
      const tab = tabOf(req);
      const values = requestedLimits(config, req.query as Record<string, unknown>);
      const folderName = segments.length === 0 ? drive.name : segments.join(' / ');
      const pageLocals = { title: query ? `Search: ${query}` : 'Search', drive, segments, crumbs: breadcrumbs(drive, segments), folderName, folderHref: folderHref(drive, segments), query, hitsMarker: HITS_MARKER, summaryMarker: SUMMARY_MARKER };
      if (!query) {
        if (ndjson) throw new BadRequestError(...said('errors.search.empty'));
        res.setHeader('Cache-Control', 'no-store');
        return res.render('pages/search', pageLocals);
      }

      const slot = slots.acquire(res.locals.user?.username ?? req.sessionID, tab ?? '');
      release = slot.release;
      const gone = abortOnDisconnect(res);
      const signal = AbortSignal.any([gone, slot.signal]);
      const match = nameMatcher(query);
      // The partials render outside res.render, so they get the language's helpers (t, tHtml, escapeHtml) here.
      const words = languageHelpers(translatorOf(res).lang);
      const hitHtml = partial(req.app, 'search-hit');
      const summaryHtml = partial(req.app, 'search-summary');
      const page = ndjson ? '' : await renderToString(res, 'pages/search', pageLocals);
      const line = (o: object): boolean => res.write(`${JSON.stringify(o)}\n`);

      const onStart = (): void => {
        started = true;
        res.status(200);
        res.setHeader('Cache-Control', 'no-store');
        // Behind nginx, results must not wait in its buffer (see the nginx example).
        res.setHeader('X-Accel-Buffering', 'no');
        if (ndjson) {
          res.type(NDJSON);
          line({ type: 'start', query, drive: drive.id, folder: segments.join('/'), serverFilter: match.serverPattern !== undefined });
          return;
        }
        res.type('html');
        const at = page.indexOf(HITS_MARKER);
        const sumAt = page.indexOf(SUMMARY_MARKER);
        res.write(page.slice(0, at));
        tail = page.slice(at + HITS_MARKER.length, sumAt) + SUMMARY_MARKER + page.slice(sumAt + SUMMARY_MARKER.length);
      };
      // Each hit is written at once (a few hundred bytes; the result limit bounds how many), not held for the
      // socket to drain: the walk must not stall on a slow reader while it holds directory handles open.
      const onHit = (hit: SearchHit): void => {
        const view: HitView = hitView(drive, segments, hit);
        if (ndjson) line({ type: 'hit', ...view });
        else res.write(hitHtml({ ...words, hit: view }));
      };

      let summary: SearchSummary;
      try {
        summary = await filesOf(files, req, drive).search(segments, match, toSearchLimits(values), onStart, onHit, signal);
      } catch (err) {
        if (!signal.aborted) throw err;
        // Cancelled. Whoever went away reads nothing more; a search replaced by a newer one says so and ends.
        logger.debug('search cancelled', { drive: drive.id, reason: gone.aborted ? 'client went away' : 'replaced' });
        if (gone.aborted || res.destroyed) return;
        const replaced = { type: 'end', cancelled: true, message: translatorOf(res).t('errors.misc.searchReplaced') };
        if (!started) onStart();
        if (ndjson) res.end(`${JSON.stringify(replaced)}\n`);
        else res.end(tail.replace(SUMMARY_MARKER, `<div class="pc-search-summary mt-3" role="status" data-cancelled="true"><p>${ejs.escapeXML(replaced.message)}</p></div>`));
        return;
      }
      const end: EndView = endView(config, summary, values, searchHref(drive, segments), query, tab, translatorOf(res).tn);
      logger.debug('search done', { drive: drive.id, results: summary.results, visited: summary.visited, folders: summary.folders, limit: summary.limit, ms: summary.ms });
      if (ndjson) res.end(`${JSON.stringify({ type: 'end', ...end })}\n`);
      else res.end(tail.replace(SUMMARY_MARKER, summaryHtml({ ...words, end })));
    } catch (err) {
      const error = toHttpError(err, item);
      if (!started) {
        if (error instanceof SearchBusyError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
        if (!ndjson) return next(error);
        res.status(error.status).type(NDJSON).setHeader('Cache-Control', 'no-store');
        res.end(`${JSON.stringify({ type: 'error', status: error.status, code: error.code, message: error.expose ? userMessageOf(res, error) : translatorOf(res).t('errors.misc.searchInternal') })}\n`);
        if (!error.expose) logger.error(`search failed: ${error.message}`, { err });
        return;
      }
      logger.warn('search failed midway', { err });
      const message = error.expose ? userMessageOf(res, error) : translatorOf(res).t('errors.misc.searchFailedMidway');
      if (res.destroyed) return;
      if (ndjson) res.end(`${JSON.stringify({ type: 'error', status: error.status, code: error.code, message })}\n`);
      else res.end(tail.replace(SUMMARY_MARKER, `<div class="alert alert-warning mt-3" role="alert">${ejs.escapeXML(message)}</div>`));
    } finally {
      release?.();
    }
  });
  return router;
}
