/**
 * Uploads. Two ways in, one set of rules (names, size limit, temporary + rename, conflict choice, audit):
 *
 * 1. `POST /upload/<drive>/<folder…>/` multipart/form-data, one or many `file` parts. The no-JS form posts
 *    here (CSRF token in the query, see csrf.ts) and is redirected back to the folder with a summary; the
 *    JS uploader posts one file per request (X-CSRF-Token header) and reads the JSON. Query: `conflict` =
 *    overwrite | keep-both | fail (default fail → 409), `mkdir=1` creates missing folders (dropped folders).
 *    A `conflict` form field before the files does the same as the query parameter. The whole body may carry
 *    UPLOAD_MAX_BYTES + 1 MiB, chunked or not (413 past it); files go under their names only once the whole
 *    form has arrived, so a form cut off or refused leaves none of them.
 *
 * 2. Resumable, for large files (all JSON, X-CSRF-Token header on every non-GET):
 *    POST   /uploads                {drive, folder: string[], name, size, conflict?, mkdir?} → 201 {id, offset: 0}
 *    HEAD   /uploads/:id            → 200, Upload-Offset / Upload-Length headers (GET: the same as JSON)
 *    PUT    /uploads/:id?offset=N   body: the next bytes (Content-Length required) → {offset}
 *                                   409 {offset} if N is not where the upload stands; 409 upload_busy while
 *                                   another writer (another instance) holds the temporary open
 *    POST   /uploads/:id/finish[?conflict=…] → 201 {name} (409 on a name conflict in fail mode; the data is
 *                                   kept, so the client may finish again with another choice)
 *    DELETE /uploads/:id            → 204, the temporary is removed
 *    The id is a signed ticket (upload-tickets.ts), valid only in the web session that made it (sign-out
 *    revokes it); the temporary's size on the file server is the offset, so a dropped connection resumes
 *    from the last byte that reached the server, on any instance. When the file server itself goes away
 *    mid-chunk, the offset goes back to that chunk's start (the last one confirmed), see `unconfirmed`.
 */
import { translatorOf } from '../i18n/middleware.js';
import type { MessageKeyOf, Params } from '../../i18n/index.js';
import { formatBytes } from '../../format/bytes.js';
import { allowSlowBody } from '../../http-timeouts.js';
import busboy from 'busboy';
import express, { type Request, type Response, Router } from 'express';
import type { Readable } from 'node:stream';
import type { Config } from '../../config/index.js';
import { driveIdPath, parseDrivePath } from '../../drives/index.js';
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, toHttpError, said, saidError } from '../../errors/index.js';
import { audit, type Logger } from '../../log.js';
import { type DriveSession, FileNotFoundError, type FileService, isConnectionLost, isWholeBuffer, join, nameProblemOf, parseConflict, type PumpResult, SharingViolationError, tempName, type ConflictMode, type UploadSweeper } from '../../files/index.js';
import { requireUser } from '../auth/current-user.js';
import { driveTargetOf, findDrive, useDrive, type DriveTarget } from '../drive-target.js';
import { openTicket, sealTicket, sessionTag, TICKET_LIFETIME_MS, type Ticket } from './upload-tickets.js';

/** Room for multipart boundaries and part headers on top of the files themselves. */
const FORM_OVERHEAD = 1 << 20;
/** What the JS client sends per PUT; the server takes any size up to the declared total. */
export const CHUNK_SIZE = 8 << 20;
/**
 * How far busboy may parse ahead of the file server. Node's default (16 KiB) is less than one socket read
 * (64 KiB), so every chunk would stall the parser until pipeFrom asked for the next one.
 */
const FILE_HWM = 1 << 20;

export interface UploadSummary {
  ok: string[];
  failed: { name: string; message: string }[];
}

declare module 'express-session' {
  interface SessionData {
    /** The no-JS form's result, shown once on the folder page it returns to. */
    uploadSummary: UploadSummary;
  }
}

/** A file that arrived whole in its temporary and waits for the end of the form to be put in place. */
interface Arrived {
  name: string;
  temp: string;
  conflict: ConflictMode;
  bytes: number;
}

export interface FileResult {
  name: string;
  ok: boolean;
  status: number;
  /** The name it was saved under (differs from `name` with keep-both). */
  savedAs?: string;
  code?: string;
  message?: string;
  /** Where `message` is in the catalogue: the answer carries it in the user's language (see inLanguage). */
  messageKey?: MessageKeyOf | undefined;
  messageParams?: Params | undefined;
  bytes: number;
}

/** Results with their messages in the response's language, and without the catalogue's keys. */
function inLanguage(res: Response, results: FileResult[]): FileResult[] {
  const { tn } = translatorOf(res);
  return results.map(({ messageKey, messageParams, ...r }) => (messageKey ? { ...r, message: tn(messageKey, messageParams) } : r));
}

const COULD_NOT_SAVE = { message: 'The file could not be saved.', messageKey: 'upload.errors.couldNotSave' } as const;
/** A failed file's message from its error: the user's text (and its catalogue key), or the generic one. */
const failureOf = (e: AppError): Pick<FileResult, 'message' | 'messageKey' | 'messageParams'> =>
  e.expose ? { message: e.message, messageKey: e.messageKey, messageParams: e.messageParams } : COULD_NOT_SAVE;

function contentLength(req: Request): number | undefined {
  const h = req.headers['content-length'];
  return typeof h === 'string' && /^\d+$/.test(h) ? Number(h) : undefined;
}

function tooLarge(max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`That upload is larger than the limit of ${formatBytes(max)}.`, { code: 'too_large', messageKey: 'upload.errors.tooLarge', messageParams: { max: formatBytes(max) } });
}

function folderUrl(driveId: string, segments: string[]): string {
  return `/browse/${driveIdPath(driveId)}/${segments.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
}

function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

/** The body was not read: close the connection after the answer instead of waiting for the rest. */
function dropBody(req: Request, res: Response): void {
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
}

/** Folder segments we may have to create must be names a file server accepts. */
function checkNewFolders(segments: string[]): void {
  for (const s of segments) {
    const problem = nameProblemOf(s, 'folder');
    if (problem) throw new BadRequestError(problem[0], { ...problem[1], code: 'bad_name' });
  }
}

async function prepareFolder(share: DriveSession, dir: string, mkdir: boolean, shown: string): Promise<void> {
  if (dir === '') return;
  if (mkdir) return share.mkdir(dir, { recursive: true });
  const st = await share.stat(dir);
  if (st.type !== 'dir') throw new NotFoundError(...said('errors.op.notFolder.named', { item: shown }));
}

export function uploadRoutes(config: Config, files: FileService, logger: Logger, sweeper?: UploadSweeper): Router {
  const router = Router();
  const max = config.upload.maxBytes;
  const secret = config.session.secret;

  const auditUpload = (req: Request, drive: string, path: string, result: string, bytes: number, extra: Record<string, unknown> = {}): void =>
    audit(logger, { action: 'upload', user: req.session.user?.username, drive, path, result, bytes, ...extra });

  // The no-JS form's summary, shown once on the folder page (views/partials/upload.ejs).
  router.use('/browse', (req, res, next) => {
    res.locals.uploadMaxBytes = max;
    const summary = req.method === 'GET' ? req.session?.uploadSummary : undefined;
    if (summary) {
      res.locals.uploadSummary = summary;
      delete req.session.uploadSummary;
    }
    next();
  });

  /**
   * Streams each file part into a temporary; once the whole form has arrived, puts each in place. One result per
   * part. Nothing is placed before the end, so a form cut off (client gone, or more than the limit in all) leaves
   * no file under its final name and no temporary.
   */
  function receiveForm(req: Request, share: DriveSession, dir: string, initial: ConflictMode): Promise<FileResult[]> {
    return new Promise((resolve, reject) => {
      let conflict = initial;
      const outcomes: (FileResult | Arrived)[] = [];
      let chain = Promise.resolve();
      let current: Readable | undefined;
      let failure: Error | undefined;
      // The whole body counts, not only each file: a chunked body announces no length to refuse up front.
      let received = 0;
      // The body's own buffers, of which busboy's file chunks are views: freed once written (pump).
      const bodyBuffers = new WeakSet<ArrayBufferLike>();
      const count = (chunk: Buffer): void => {
        if (isWholeBuffer(chunk)) bodyBuffers.add(chunk.buffer);
        received += chunk.length;
        if (received > max + FORM_OVERHEAD) abort(tooLarge(max));
      };
      const bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // Keep `/` and `\` in the part's file name, so nameProblem refuses it with a 400 naming the rule;
        // busboy's default silently kept what followed the last one ("../../a/b.txt" became "b.txt").
        preservePath: true,
        fileHwm: FILE_HWM,
        limits: { fileSize: max, files: 1000, fields: 20, fieldSize: 1024, parts: 1020 },
      });
      bb.on('field', (name, value) => {
        if (name === 'conflict') conflict = parseConflict(value) ?? conflict;
      });
      bb.on('file', (_field, stream, info) => {
        // abort() destroys busboy's current stream with the error, which may be one still queued here.
        stream.on('error', () => undefined);
        const mode = conflict;
        chain = chain.then(async () => {
          if (failure) return void stream.resume();
          current = stream;
          outcomes.push(await receiveFile(share, dir, stream, info.filename ?? '', mode, (c) => bodyBuffers.has(c.buffer)));
          current = undefined;
        });
      });
      const abort = (err: Error): void => {
        if (failure) return;
        failure = err;
        req.off('data', count);
        req.unpipe(bb);
        // Discard the rest while the answer goes out (then the connection is closed), so the client can read it.
        req.resume();
        current?.destroy(err);
        bb.destroy(err);
        chain.then(() => discardArrived(share, dir, outcomes)).then(() => reject(err), reject);
      };
      // busboy refuses malformed forms (bad boundaries, control characters in part headers): the client's fault.
      bb.on('error', (err: Error) => abort(new BadRequestError(...said('errors.upload.formUnreadable', undefined, { code: 'bad_form', cause: err }))));
      bb.on('close', () => {
        if (!failure) chain.then(() => placeArrived(share, dir, outcomes)).then(resolve, reject);
      });
      req.on('close', () => {
        if (!req.complete) abort(Object.assign(new Error('the client went away mid-upload'), { code: 'aborted' }));
      });
      req.on('data', count);
      req.pipe(bb);
    });
  }

  async function placeArrived(share: DriveSession, dir: string, outcomes: (FileResult | Arrived)[]): Promise<FileResult[]> {
    const results: FileResult[] = [];
    for (const o of outcomes) {
      if (!('temp' in o)) {
        results.push(o);
        continue;
      }
      try {
        const savedAs = await share.place(dir, o.temp, o.name, o.conflict);
        results.push({ name: o.name, ok: true, status: 201, savedAs, bytes: o.bytes });
      } catch (err) {
        await share.removeQuietly(join(dir, o.temp));
        const e = toHttpError(err, o.name);
        results.push({ name: o.name, ok: false, status: e.status, code: e.code, ...failureOf(e), bytes: o.bytes });
      }
    }
    return results;
  }

  async function discardArrived(share: DriveSession, dir: string, outcomes: (FileResult | Arrived)[]): Promise<void> {
    for (const o of outcomes) if ('temp' in o) await share.removeQuietly(join(dir, o.temp));
  }

  async function receiveFile(
    share: DriveSession,
    dir: string,
    stream: Readable & { truncated?: boolean },
    name: string,
    conflict: ConflictMode,
    discardable: (chunk: Buffer) => boolean,
  ): Promise<FileResult | Arrived> {
    const problem = nameProblemOf(name);
    if (problem) {
      stream.resume();
      return { name, ok: false, status: 400, code: 'bad_name', message: problem[0], messageKey: problem[1].messageKey, messageParams: problem[1].messageParams, bytes: 0 };
    }
    const temp = tempName(name);
    let bytes = 0;
    try {
      if (conflict === 'fail' && (await share.exists(join(dir, name)))) {
        stream.resume();
        return { name, ok: false, status: 409, code: 'exists', message: `“${name}” already exists. Choose to overwrite it or keep both.`, messageKey: 'upload.errors.exists', messageParams: { name }, bytes: 0 };
      }
      bytes = (await share.write(join(dir, temp), stream, { flags: 'wx', discardable })).bytes;
      if (stream.truncated === true) {
        await share.removeQuietly(join(dir, temp));
        const e = tooLarge(max);
        return { name, ok: false, status: e.status, code: e.code, ...failureOf(e), bytes };
      }
      return { name, temp, conflict, bytes };
    } catch (err) {
      stream.resume();
      await share.removeQuietly(join(dir, temp));
      if ((err as { code?: unknown }).code === 'aborted') throw err;
      const e = toHttpError(err, name);
      return { name, ok: false, status: e.status, code: e.code, ...failureOf(e), bytes };
    }
  }

  router.use('/upload', requireUser, async (req, res, next) => {
    if (req.method !== 'POST') return next();
    allowSlowBody(req);
    let target: DriveTarget | undefined;
    try {
      target = driveTargetOf(config, req, res);
      if (!req.is('multipart/form-data')) throw new BadRequestError(...said('errors.upload.multipart'));
      const declared = contentLength(req);
      if (declared !== undefined && declared > max + FORM_OVERHEAD) throw tooLarge(max);
      const rawConflict = req.query.conflict;
      const conflict = rawConflict === undefined ? 'fail' : parseConflict(rawConflict);
      if (!conflict) throw new BadRequestError(...said('errors.upload.conflictChoice'));
      const mkdir = req.query.mkdir === '1';
      if (mkdir) checkNewFolders(target.segments);
      const t = target;
      const results = await useDrive(
        files,
        req,
        t,
        async (share, dir) => {
          await prepareFolder(share, dir, mkdir, t.segments.at(-1) ?? t.drive.name);
          await share.sweepStaleTemporaries(`${t.drive.host}|${t.drive.share}|${dir}`, dir);
          sweeper?.noteFolder(req.session.user?.username ?? '', t.drive, dir);
          return receiveForm(req, share, dir, conflict);
        },
        { idempotent: false },
      );
      for (const r of results) auditUpload(req, t.drive.id, [...t.segments, r.savedAs ?? r.name].join('/'), r.ok ? 'ok' : (r.code ?? 'failed'), r.bytes);
      if (wantsHtml(req)) {
        const shown = inLanguage(res, results);
        req.session.uploadSummary = {
          ok: shown.filter((r) => r.ok).map((r) => r.savedAs ?? r.name),
          failed: shown.filter((r) => !r.ok).map((r) => ({ name: r.name, message: r.message ?? translatorOf(res).t('client.upload.failed') })),
        };
        return res.redirect(303, folderUrl(t.drive.id, t.segments));
      }
      if (results.length === 0) throw new BadRequestError(...said('errors.upload.noFiles'));
      const failed = results.filter((r) => !r.ok);
      const status = failed.length === 0 ? 201 : failed.length === results.length ? (failed[0]?.status ?? 400) : 207;
      res.status(status).json({ files: inLanguage(res, results) });
    } catch (err) {
      dropBody(req, res);
      if (target && !(err instanceof AppError && err.status === 400)) {
        const e = toHttpError(err);
        auditUpload(req, target.drive.id, target.segments.join('/') || '/', (err as { code?: unknown }).code === 'aborted' ? 'aborted' : e.code, 0);
      }
      if ((err as { code?: unknown }).code === 'aborted') return; // nobody to answer
      next(err);
    }
  });

  // ---- resumable ----

  const json = express.json({ limit: '16kb' });

  function ticketOf(req: Request, res: Response): { ticket: Ticket; target: DriveTarget } {
    const ticket = openTicket(secret, String(req.params.id));
    if (!ticket) throw new NotFoundError(...said('errors.upload.noSuch', undefined, { code: 'no_upload' }));
    if (ticket.user !== req.session.user?.username.toLowerCase()) throw new ForbiddenError(...said('errors.upload.notOwner', undefined, { code: 'not_owner' }));
    if (ticket.session !== sessionTag(secret, req.sessionID)) throw new NotFoundError(...said('errors.upload.beforeSignIn', undefined, { code: 'no_upload' }));
    if (ticket.expires < Date.now()) throw new NotFoundError(...said('errors.upload.expired', undefined, { code: 'no_upload' }));
    const drive = findDrive(config, req, res, ticket.drive);
    if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
    return { ticket, target: { drive, segments: ticket.folder, trailingSlash: true } };
  }

  async function tempSize(share: DriveSession, dir: string, ticket: Ticket): Promise<number> {
    try {
      return Number((await share.stat(join(dir, ticket.temp))).size);
    } catch (err) {
      if (err instanceof FileNotFoundError) throw new NotFoundError(...said('errors.upload.cancelled', undefined, { code: 'no_upload' }));
      throw err;
    }
  }

  router.post('/uploads', requireUser, json, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { name, size } = body;
    if (typeof name !== 'string') throw new BadRequestError(...said('errors.upload.nameMissing'));
    const problem = nameProblemOf(name);
    if (problem) throw new BadRequestError(problem[0], { ...problem[1], code: 'bad_name' });
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new BadRequestError(...said('errors.upload.sizeInvalid'));
    if (size > max) throw tooLarge(max);
    const folder = body.folder ?? [];
    if (!Array.isArray(folder) || !folder.every((s): s is string => typeof s === 'string')) throw new BadRequestError(...said('errors.upload.folderInvalid'));
    const segments = parseDrivePath(folder.map((s) => encodeURIComponent(s)).join('/'));
    const conflict = body.conflict === undefined ? 'fail' : parseConflict(body.conflict);
    if (!conflict) throw new BadRequestError(...said('errors.upload.conflictChoice'));
    const mkdir = body.mkdir === true;
    if (mkdir) checkNewFolders(segments);
    const drive = findDrive(config, req, res, typeof body.drive === 'string' ? body.drive : '');
    if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
    const ticket: Ticket = {
      user: req.session.user?.username.toLowerCase() ?? '',
      session: sessionTag(secret, req.sessionID),
      drive: drive.id,
      folder: segments,
      name,
      size,
      temp: tempName(name),
      conflict,
      expires: Date.now() + TICKET_LIFETIME_MS,
    };
    const target: DriveTarget = { drive, segments, trailingSlash: true };
    await useDrive(
      files,
      req,
      target,
      async (share, dir) => {
        await prepareFolder(share, dir, mkdir, segments.at(-1) ?? drive.name);
        if (conflict === 'fail' && (await share.exists(join(dir, name)))) {
          throw new AppError(409, `“${name}” already exists. Choose to overwrite it or keep both.`, 'exists', { messageKey: 'upload.errors.exists', messageParams: { name } });
        }
        await share.sweepStaleTemporaries(`${drive.host}|${drive.share}|${dir}`, dir);
        await share.createEmpty(join(dir, ticket.temp));
        await sweeper?.noteUpload(req.sessionID, ticket.user, drive, dir, ticket.temp);
      },
      { idempotent: false },
    );
    res.status(201).json({ id: sealTicket(secret, ticket), offset: 0, size, chunkSize: CHUNK_SIZE });
  });

  /**
   * PUTs still writing, by upload id. A chunk cut short is still being flushed to the file server after
   * the client has gone; a HEAD in that moment waits for it, so the offset it reports is the final one.
   */
  const writing = new Map<string, Promise<unknown>>();

  /**
   * Uploads whose file server went away in the middle of a chunk (restart, network cut), by id → the offset
   * that chunk started at. WRITEs are pipelined and complete in any order, so the temporary may hold later
   * parts of the chunk without earlier ones: its size is no longer an offset to resume from. It is cut back to
   * the chunk's start, the last offset this server confirmed, as soon as the file server answers again
   * (settle), before anyone is told where the upload stands. Per process: another instance asked in that
   * window sees the temporary's size as it is.
   */
  const unconfirmed = new Map<string, number>();

  async function settle(share: DriveSession, dir: string, id: string, ticket: Ticket): Promise<void> {
    const at = unconfirmed.get(id);
    if (at === undefined) return;
    try {
      await share.cutBackTo(join(dir, ticket.temp), at);
    } catch (err) {
      if (!(err instanceof FileNotFoundError)) throw err;
    }
    unconfirmed.delete(id);
  }

  const status = async (req: Request, res: Response): Promise<number> => {
    const { ticket, target } = ticketOf(req, res);
    await writing.get(String(req.params.id))?.catch(() => undefined);
    const id = String(req.params.id);
    const offset = await useDrive(
      files,
      req,
      target,
      async (share, dir) => {
        await settle(share, dir, id, ticket);
        return tempSize(share, dir, ticket);
      },
      { idempotent: true },
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Upload-Offset', String(offset));
    res.setHeader('Upload-Length', String(ticket.size));
    return offset;
  };
  router.head('/uploads/:id', requireUser, async (req, res) => {
    await status(req, res);
    res.status(200).end();
  });
  router.get('/uploads/:id', requireUser, async (req, res) => {
    const offset = await status(req, res);
    res.json({ offset, size: openTicket(secret, String(req.params.id))?.size });
  });

  router.put('/uploads/:id', requireUser, async (req, res, next) => {
    let ticket: Ticket | undefined;
    try {
      const t = ticketOf(req, res);
      ticket = t.ticket;
      const tk = t.ticket;
      allowSlowBody(req);
      const rawOffset = req.query.offset;
      if (typeof rawOffset !== 'string' || !/^\d+$/.test(rawOffset)) throw new BadRequestError(...said('errors.upload.offsetMissing'));
      const offset = Number(rawOffset);
      const length = contentLength(req);
      if (length === undefined) throw saidError(411, 'length_required', 'errors.upload.lengthRequired');
      if (offset + length > tk.size) throw new PayloadTooLargeError(...said('errors.upload.moreThanAnnounced', { size: String(tk.size), name: tk.name }, { code: 'too_large' }));
      const id = String(req.params.id);
      // One PUT per upload at a time in this process: a second one waits for the first, then finds the offset
      // moved (409 with the new one) or continues right after it. Get-and-set with no await between: atomic.
      const before = writing.get(id) ?? Promise.resolve();
      const writes = before
        .catch(() => undefined)
        .then(() =>
          useDrive(
            files,
            req,
            t.target,
            async (share, dir) => {
              await settle(share, dir, id, tk);
              return writeChunk(share, join(dir, tk.temp), req, offset, length, id);
            },
            { idempotent: false },
          ),
        );
      writing.set(id, writes);
      const outcome = await writes.finally(() => {
        if (writing.get(id) === writes) writing.delete(id);
      });
      if ('mismatch' in outcome) {
        dropBody(req, res);
        res.setHeader('Upload-Offset', String(outcome.mismatch));
        res.status(409).json({ error: { status: 409, code: 'offset_mismatch', message: translatorOf(res).t('errors.misc.uploadStandsAt', { at: outcome.mismatch, offset }) }, offset: outcome.mismatch });
        return;
      }
      const now = offset + outcome.bytes;
      if (outcome.sourceError) {
        logger.debug('resumable upload chunk cut short; kept what arrived', { user: req.session.user?.username, name: tk.name, offset: now });
        return;
      }
      res.setHeader('Upload-Offset', String(now));
      res.json({ offset: now });
    } catch (err) {
      dropBody(req, res);
      if (ticket && !(err instanceof AppError && err.status < 500 && err.status !== 413)) {
        auditUpload(req, ticket.drive, [...ticket.folder, ticket.name].join('/'), toHttpError(err).code, 0, { resumable: true });
      }
      next(err);
    }
  });

  /**
   * Writes the chunk at `offset`, checked while the temporary is open for writing. Writers are exclusive on the
   * file server, so the check and the write are one step against every other writer, on any instance: a second
   * writer is refused (409 upload_busy) instead of interleaving, and nothing lands past the declared size.
   */
  async function writeChunk(share: DriveSession, path: string, body: Readable, offset: number, length: number, id: string): Promise<PumpResult | { mismatch: number }> {
    let mismatch: number | undefined;
    let opened = false;
    const atOpen = (size: number): void => {
      opened = true;
      if (size !== offset) {
        mismatch = size;
        throw new ConflictError(...said('errors.upload.offsetMismatch'));
      }
    };
    try {
      // The request body is read by nothing else: its buffers are freed as soon as they are written (pump).
      return await share.write(path, body, { flags: 'r+', offset, atOpen, keepPartial: true, limit: length, discardable: isWholeBuffer });
    } catch (err) {
      if (mismatch !== undefined) return { mismatch };
      if (err instanceof FileNotFoundError) throw new NotFoundError(...said('errors.upload.cancelled', undefined, { code: 'no_upload' }));
      if (err instanceof SharingViolationError) {
        throw new ConflictError(...said('errors.upload.busy', undefined, { code: 'upload_busy', cause: err }));
      }
      if (opened) {
        // The file server went away mid-chunk: resumable once it is back, from this chunk's start (settle).
        if (isConnectionLost(err)) unconfirmed.set(id, offset);
        // It refused the chunk (the drive is full …): the upload is over, and leaves nothing behind.
        else await share.removeQuietly(path);
      }
      throw err;
    }
  }

  router.post('/uploads/:id/finish', requireUser, async (req, res) => {
    const { ticket, target } = ticketOf(req, res);
    const rawConflict = req.query.conflict;
    const conflict = rawConflict === undefined ? ticket.conflict : parseConflict(rawConflict);
    if (!conflict) throw new BadRequestError(...said('errors.upload.conflictChoice'));
    const path = [...ticket.folder, ticket.name].join('/');
    try {
      const savedAs = await useDrive(
        files,
        req,
        target,
        async (share, dir) => {
          await settle(share, dir, String(req.params.id), ticket);
          const at = await tempSize(share, dir, ticket);
          if (at !== ticket.size) throw saidError(409, 'incomplete', 'errors.upload.incomplete', { at: String(at), size: String(ticket.size) });
          if (conflict === 'fail' && (await share.exists(join(dir, ticket.name)))) {
            // Keep the data: the user may still choose to overwrite or keep both.
            throw saidError(409, 'exists', 'upload.errors.exists', { name: ticket.name });
          }
          const placed = await share.place(dir, ticket.temp, ticket.name, conflict);
          await sweeper?.forgetUpload(req.sessionID, target.drive, dir, ticket.temp);
          return placed;
        },
        { idempotent: false },
      );
      auditUpload(req, ticket.drive, [...ticket.folder, savedAs].join('/'), 'ok', ticket.size, { resumable: true });
      res.status(201).json({ name: savedAs, bytes: ticket.size });
    } catch (err) {
      const e = toHttpError(err, ticket.name);
      if (e.code !== 'incomplete') auditUpload(req, ticket.drive, path, e.code, 0, { resumable: true });
      throw err;
    }
  });

  router.delete('/uploads/:id', requireUser, async (req, res) => {
    const { ticket, target } = ticketOf(req, res);
    await useDrive(
      files,
      req,
      target,
      async (share, dir) => {
        await share.removeQuietly(join(dir, ticket.temp));
        unconfirmed.delete(String(req.params.id));
        await sweeper?.forgetUpload(req.sessionID, target.drive, dir, ticket.temp);
      },
      { idempotent: true },
    );
    auditUpload(req, ticket.drive, [...ticket.folder, ticket.name].join('/'), 'cancelled', 0, { resumable: true });
    res.status(204).end();
  });

  return router;
}
