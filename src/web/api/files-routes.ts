/**
 * The file operations API (README, "File operations API"): JSON in and out, CSRF in the X-CSRF-Token header as
 * for uploads. New folder and rename answer at once; delete, copy and move run as jobs (jobs-routes.ts) and
 * answer 200 with the finished job when it ends within about a second, else 202 with the running job.
 *
 * POST /api/files/mkdir   {drive, path, name}          → 201 {path}
 * POST /api/files/rename  {drive, path, name}          → 200 {path}
 * POST /api/files/delete  {drive, paths}               → 200|202 {job}
 * POST /api/files/copy    {drive, paths, to: {drive, path}, conflict?, resolutions?} → 200|202 {job}, 409 {error, conflicts}
 * POST /api/files/move    (the same)
 *
 * Every mutation writes one audit line (who, action, drive, from, to, result), requests refused before
 * anything was done included.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import { parseDrivePath, takeDriveId, type DriveRef } from '../../drives/index.js';
import { AppError, said } from '../../errors/index.js';
import type { MessageKeyOf, Params } from '../../i18n/index.js';
import {
  deleteItems,
  type DriveFiles,
  type FileService,
  isInside,
  nameProblemOf,
  OpError,
  opErrorOf,
  RESOLUTIONS,
  transferConflicts,
  transferItems,
  type Resolution,
} from '../../files/index.js';
import type { JobRegistry } from '../../jobs/index.js';
import { audit, type Logger } from '../../log.js';
import type { PoolCredential } from '../../sessions/index.js';
import { credentialFor, requireUser } from '../auth/current-user.js';
import { filesOf, findDrive } from '../drive-target.js';
import { translatorOf } from '../i18n/middleware.js';
import { startJob } from './job-runner.js';

/** Room for a few thousand selected paths. */
const BODY_LIMIT = '1mb';
const MAX_ITEMS = 10_000;
/** How long the browse page waits to learn whether the drive is writable before rendering without knowing. */
const CAN_WRITE_WAIT_MS = 2000;

type Body = Record<string, unknown>;

const badInput = (key: MessageKeyOf, params?: Params): OpError => new OpError('bad-input', ...said(key, params));

function bodyOf(req: Request): Body {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw badInput('errors.api.jsonObject');
  return b as Body;
}

function stringField(body: Body, key: string): string {
  const v = body[key];
  if (typeof v !== 'string') throw badInput('errors.api.mustBeString', { key });
  return v;
}

/**
 * A path inside a drive, as the JSON carries it (not percent-encoded): checked with the same rules as browse
 * URLs (parseDrivePath), each segment taken literally.
 */
export function pathSegments(path: string): string[] {
  let encoded: string;
  try {
    encoded = path.split('/').map(encodeURIComponent).join('/');
  } catch {
    throw new OpError('bad-name', ...said('errors.drive.badEncoding'));
  }
  try {
    return parseDrivePath(encoded);
  } catch (err) {
    throw err instanceof AppError ? new OpError('bad-name', err.message, { messageKey: err.messageKey, messageParams: err.messageParams }) : new OpError('bad-name', ...said('errors.drive.pathNotAllowed'));
  }
}

function checkName(name: string): void {
  const problem = nameProblemOf(name);
  if (problem !== undefined) throw new OpError(name.length > 255 ? 'name-too-long' : 'bad-name', ...problem);
}

/**
 * Errors as the API words them: its codes for everything about files; the app's own answer for what is not
 * about the files (sign-in over, server unavailable, sign-in method refused, CSRF), so the error handler still signs out, reports …
 */
function apiError(err: unknown, item?: string): unknown {
  if (err instanceof OpError) return err;
  if (err instanceof AppError && (err.status === 401 || err.status === 502 || err.status === 503 || err.code === 'csrf')) return err;
  if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'CredentialsRejectedError') return err;
  return opErrorOf(err, item);
}

export interface OpsContext {
  config: Config;
  files: FileService;
  jobs: JobRegistry;
  logger: Logger;
}

/** The user's drive `id` (their menu, or a configured drive the menu hides: the server decides). */
function driveOf(ctx: OpsContext, req: Request, res: Response, id: string): DriveRef {
  const drive = findDrive(ctx.config, req, res, id);
  if (!drive) throw new OpError('not-found', ...said('errors.drive.noSuch'));
  return drive;
}

/** Refuses with 403 "You can't change files here" when the share gives this user no write access at all. */
async function requireWritable(files: DriveFiles): Promise<void> {
  if (!(await files.canWrite())) throw new OpError('denied', ...said('errors.drive.readOnly'));
}

/** The destination of a copy or move must be an existing folder (404 otherwise, naming it). */
async function requireFolder(files: DriveFiles, folder: string[], drive: DriveRef): Promise<void> {
  const shown = folder.at(-1) ?? drive.name;
  const missing = new OpError('not-found', ...said('errors.drive.destinationNotFound', { item: shown }));
  let isFolder: boolean;
  try {
    isFolder = (await files.stat(folder)).type === 'dir';
  } catch (err) {
    const e = opErrorOf(err, shown);
    throw e.opCode === 'not-found' ? missing : e;
  }
  if (!isFolder) throw missing;
}

/** A user's drive face for a job: the credential is opened now, kept only while the job runs, then wiped. */
function jobFiles(ctx: OpsContext, req: Request, drive: DriveRef, credential: PoolCredential): DriveFiles {
  return ctx.files.forDrive({ sessionId: req.sessionID, credential: () => credential }, drive);
}

function parseResolutions(body: Body): { conflict: Resolution | undefined; resolutions: Map<string, Resolution> } {
  const c = body.conflict;
  if (c !== undefined && !(typeof c === 'string' && (RESOLUTIONS as readonly string[]).includes(c))) throw badInput('errors.api.conflictChoice');
  const resolutions = new Map<string, Resolution>();
  const r = body.resolutions;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw badInput('errors.api.resolutionsMap');
    for (const [name, v] of Object.entries(r as Record<string, unknown>)) {
      if (!(typeof v === 'string' && (RESOLUTIONS as readonly string[]).includes(v))) throw badInput('errors.api.resolutionFor', { name });
      resolutions.set(name, v as Resolution);
    }
  }
  return { conflict: c as Resolution | undefined, resolutions };
}

function pathsField(body: Body): string[][] {
  const v = body.paths;
  if (!Array.isArray(v) || v.length === 0 || !v.every((p): p is string => typeof p === 'string')) throw badInput('errors.api.paths');
  if (v.length > MAX_ITEMS) throw badInput('errors.api.tooManyItems', { max: MAX_ITEMS });
  const items = v.map(pathSegments);
  if (items.some((s) => s.length === 0)) throw new OpError('bad-name', ...said('errors.drive.driveItself'));
  return items;
}

export function filesApiRoutes(ctx: OpsContext): Router {
  const router = Router();
  const json = express.json({ limit: BODY_LIMIT });
  const { logger } = ctx;
  // Scripts and the UI read errors as JSON whatever they say they accept (the error handler answers by Accept).
  router.use(['/api/files', '/api/jobs'], (req, _res, next) => {
    req.headers.accept = 'application/json';
    next();
  });

  const userOf = (req: Request): string | undefined => req.session.user?.username;
  const auditLine = (req: Request, action: string, drive: string | undefined, from: string | string[] | undefined, to: string | undefined, result: string, extra: Record<string, unknown> = {}): void => {
    const path = Array.isArray(from) ? from.join(', ') : from;
    audit(logger, { action, user: userOf(req), drive, path, from, to, result, ...extra });
  };

  /** Runs `fn`; on failure answers with the API's error and writes the audit line for the refused request. */
  const handle =
    (action: string, fn: (req: Request, res: Response, body: Body) => Promise<void>): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      let body: Body = {};
      try {
        body = bodyOf(req);
        await fn(req, res, body);
      } catch (err) {
        const item = typeof body.name === 'string' ? body.name : undefined;
        const e = apiError(err, item);
        const code = e instanceof AppError ? e.code : 'failed';
        if (e instanceof OpError && e.opCode === 'failed') logger.warn(`${action} failed`, { err });
        const drive = typeof body.drive === 'string' ? body.drive : undefined;
        const from = typeof body.path === 'string' ? body.path : Array.isArray(body.paths) ? (body.paths as unknown[]).filter((p): p is string => typeof p === 'string') : undefined;
        const toObj = body.to as { drive?: unknown; path?: unknown } | undefined;
        const to = typeof toObj?.path === 'string' ? `${String(toObj.drive)}:${toObj.path}` : undefined;
        auditLine(req, action, drive, from, to, code);
        next(e);
      }
    };

  router.post('/api/files/mkdir', requireUser, json, handle('mkdir', async (req, res, body) => {
    const drive = driveOf(ctx, req, res, stringField(body, 'drive'));
    const folder = pathSegments(stringField(body, 'path'));
    const name = stringField(body, 'name');
    checkName(name);
    const files = filesOf(ctx.files, req, drive);
    await requireWritable(files);
    const target = [...folder, name];
    try {
      await files.mkdir(target);
    } catch (err) {
      const e = opErrorOf(err, name);
      // Not found here means the folder it was to go in.
      if (e.opCode === 'not-found') throw new OpError('not-found', ...said('errors.drive.folderNotFound', { item: folder.at(-1) ?? drive.name }, { cause: err }));
      throw e;
    }
    const path = target.join('/');
    auditLine(req, 'mkdir', drive.id, undefined, path, 'ok');
    res.status(201).json({ path });
  }));

  router.post('/api/files/rename', requireUser, json, handle('rename', async (req, res, body) => {
    const drive = driveOf(ctx, req, res, stringField(body, 'drive'));
    const from = pathSegments(stringField(body, 'path'));
    if (from.length === 0) throw new OpError('bad-name', ...said('errors.drive.renameDrive'));
    const name = stringField(body, 'name');
    checkName(name);
    const files = filesOf(ctx.files, req, drive);
    await requireWritable(files);
    const to = [...from.slice(0, -1), name];
    try {
      await files.rename(from, to);
    } catch (err) {
      // Exists names the new name; everything else (not found, in use, denied) the item being renamed.
      throw opErrorOf(err, typeof err === 'object' && err !== null && (err as Error).name === 'SmbExistsError' ? name : from.at(-1));
    }
    const path = to.join('/');
    auditLine(req, 'rename', drive.id, from.join('/'), path, 'ok');
    res.json({ path });
  }));

  router.post('/api/files/delete', requireUser, json, handle('delete', async (req, res, body) => {
    const drive = driveOf(ctx, req, res, stringField(body, 'drive'));
    const items = pathsField(body);
    await requireWritable(filesOf(ctx.files, req, drive));
    const credential = credentialFor(req);
    const files = jobFiles(ctx, req, drive, credential);
    const from = items.map((s) => s.join('/'));
    await startJob(ctx, req, res, { kind: 'delete', credential, run: (job) => deleteItems(files, items, job), audit: (result, extra) => auditLine(req, 'delete', drive.id, from, undefined, result, extra) });
  }));

  const transfer = (kind: 'copy' | 'move') =>
    handle(kind, async (req, res, body) => {
      const drive = driveOf(ctx, req, res, stringField(body, 'drive'));
      const items = pathsField(body);
      const toObj = body.to;
      if (typeof toObj !== 'object' || toObj === null) throw badInput('errors.api.to');
      const toDrive = driveOf(ctx, req, res, stringField(toObj as Body, 'drive'));
      const folder = pathSegments(stringField(toObj as Body, 'path'));
      const { conflict, resolutions } = parseResolutions(body);
      const names = items.map((s) => s.at(-1) as string);
      if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) throw badInput('errors.api.sameName');
      const source = filesOf(ctx.files, req, drive);
      const dest = filesOf(ctx.files, req, toDrive);
      for (const item of items) {
        if (isInside(source, item, dest, folder)) {
          throw new OpError('into-itself', ...said(kind === 'copy' ? 'errors.drive.copyIntoItself' : 'errors.drive.moveIntoItself', { item: item.at(-1) as string }));
        }
      }
      await requireWritable(dest);
      if (kind === 'move') await requireWritable(source);
      await requireFolder(dest, folder, toDrive);
      const resolution = (name: string): Resolution | undefined => resolutions.get(name) ?? conflict;
      const conflicts = await transferConflicts({ kind, from: source, items, to: dest, folder, resolution });
      if (conflicts.length > 0) {
        const toPath = `${toDrive.id}:${folder.join('/')}`;
        auditLine(req, kind, drive.id, items.map((s) => s.join('/')), toPath, 'conflict');
        res.status(409).json({ error: { status: 409, code: 'conflict', message: translatorOf(res).t('errors.misc.transferConflict', { count: conflicts.length, name: conflicts[0]?.name ?? '' }) }, conflicts });
        return;
      }
      const credential = credentialFor(req);
      const request = { kind, from: jobFiles(ctx, req, drive, credential), items, to: jobFiles(ctx, req, toDrive, credential), folder, resolution };
      const from = items.map((s) => s.join('/'));
      const to = `${toDrive.id}:${folder.join('/')}`;
      await startJob(ctx, req, res, {
        kind,
        credential,
        run: (job) => transferItems(request, job),
        audit: (result, extra) => auditLine(req, kind, drive.id, from, to, result, extra),
      });
    });

  router.post('/api/files/copy', requireUser, json, transfer('copy'));
  router.post('/api/files/move', requireUser, json, transfer('move'));
  return router;
}

/**
 * For the browse page: `res.locals.canWrite` says whether the drive lets the user change anything (the
 * tree connect's maximal access), so the page can hide what would be refused. Undefined when unknown (the
 * page then offers the actions and the server's answer decides).
 */
export function canWriteLocals(config: Config, files: FileService): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !res.locals.user) return next();
    const { id: driveId } = takeDriveId(req.path.split('/').slice(1));
    let drive: DriveRef | undefined;
    try {
      drive = /^[\w-]+$/u.test(driveId) || driveId.startsWith('@') ? findDrive(config, req, res, driveId) : undefined;
    } catch {
      drive = undefined; // a refused server: the page itself says so
    }
    if (drive !== undefined) {
      // The page's own SMB work joins the same connection attempt; waiting for it here at most briefly means a
      // server that does not answer costs the page one timeout, not two.
      let timer: NodeJS.Timeout | undefined;
      const known = (async () => filesOf(files, req, drive).canWrite())().catch(() => undefined); // the page meets (and explains) whatever stopped us
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CAN_WRITE_WAIT_MS)));
      const answer = await Promise.race([known, late]);
      clearTimeout(timer);
      if (answer !== undefined) res.locals.canWrite = answer;
    }
    next();
  };
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The browsed drive lets the user change files (see canWriteLocals); undefined when not known. */
    canWrite?: boolean;
  }
}
