/**
 * GET /api/files/properties?drive=&path=[&measure=1]: a file's or folder's Properties as JSON (the shape is the
 * file-operations contract's; see README, "File operations API"). With measure=1 on a folder, its recursive
 * count too, capped by MEASURE_MAX_ENTRIES and MEASURE_MAX_SECONDS; the UI cancels a count by aborting the
 * fetch, which stops the walk on the file server as well.
 */
import { type Request, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import { parseDrivePath } from '../../drives/index.js';
import { type AppError, BadRequestError, NotFoundError, toHttpError, UnauthorizedError, said } from '../../errors/index.js';
import { type FileService, measureOf, type OwnerNames, propertiesOf } from '../../files/index.js';
import type { Logger } from '../../log.js';
import { findDrive, filesOf } from '../drive-target.js';
import { userMessageOf } from '../i18n/middleware.js';

/** The contract's error codes, from the app's one error hierarchy (errors/to-http.ts decides the status). */
function contractCode(error: AppError): string {
  switch (error.status) {
    case 400:
      return /longer than/.test(error.message) ? 'name-too-long' : 'bad-name';
    case 401:
      return 'unauthorized';
    case 403:
      return 'denied';
    case 404:
      return 'not-found';
    case 423:
      return 'in-use';
    default:
      return 'failed';
  }
}

function one(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The query's `path` is already decoded; parseDrivePath wants the encoded form and decodes each segment once,
 * so encode each '/'-separated segment first: the same rules as a browse URL, applied once.
 */
function segmentsOf(path: string): string[] {
  return parseDrivePath(path.split('/').map(encodeURIComponent).join('/'));
}

/** Aborts when the client goes away before the answer is complete (the UI cancelling a count). */
function abortOnDisconnect(res: Response, logger: Logger): AbortSignal {
  const ac = new AbortController();
  // The response's 'close' (not the request's, which also fires once a GET's empty body is read): before
  // the answer was finished, it means the connection is gone.
  res.once('close', () => {
    if (res.writableFinished) return;
    logger.debug('properties: the client went away before the answer');
    ac.abort(new Error('the client went away'));
  });
  return ac.signal;
}

export function propertiesRoutes(config: Config, files: FileService, owners: OwnerNames, logger: Logger): Router {
  const router = Router();

  router.get('/api/files/properties', async (req: Request, res: Response, next) => {
    let item: string | undefined;
    // An API answers in JSON whatever the client said it accepts (fetch sends */*), THE error handler included.
    req.headers.accept = 'application/json';
    const signal = abortOnDisconnect(res, logger);
    try {
      if (!res.locals.user) throw new UnauthorizedError();
      const driveId = one(req.query.drive);
      const path = req.query.path === undefined ? '' : one(req.query.path);
      if (!driveId || path === undefined) throw new BadRequestError(...said('errors.drive.whichItem'));
      const drive = findDrive(config, req, res, driveId);
      if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
      const segments = segmentsOf(path);
      item = segments.at(-1) ?? drive.name;
      const driveFiles = filesOf(files, req, drive);
      const props = await propertiesOf(driveFiles, segments, owners);
      if (req.query.measure === '1' && props.type === 'folder') {
        try {
          const limits = { maxEntries: config.measure.maxEntries, maxMs: config.measure.maxSeconds * 1000 };
          props.measure = await measureOf(driveFiles, segments, limits, signal);
          logger.debug('folder measured', { drive: drive.id, ...props.measure });
        } catch (err) {
          if (!signal.aborted) throw err;
          logger.debug('folder count cancelled: the client went away', { drive: drive.id });
          return;
        }
      }
      res.setHeader('Cache-Control', 'no-store');
      res.json(props);
    } catch (err) {
      if (signal.aborted) return;
      const error = toHttpError(err, item);
      // Unexpected errors and outages go to THE error handler: logged, mailed, with a reference.
      if (!error.expose || error.status >= 500) return next(error);
      res.setHeader('Cache-Control', 'no-store');
      res.status(error.status).json({ error: { code: contractCode(error), message: userMessageOf(res, error) } });
    }
  });

  return router;
}
