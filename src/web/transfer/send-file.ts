/**
 * Streams one file from SMB to the HTTP response: /download (attachment) and /view (inline for safe types).
 *
 * Failure semantics (DESIGN.md): an error before the first byte is a normal error page (404, 403, 503 …); an
 * error after it destroys the socket, so the client sees a broken transfer (curl: exit 18, browsers: "failed"),
 * never a short body that ends cleanly. Memory is bounded by the SMB read window and the socket's buffer,
 * whatever the size: the pipeline follows the client's pace.
 */
import { finished } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Config } from '../../config/index.js';
import { BadRequestError, toHttpError, said } from '../../errors/index.js';
import type { FileService, FileStats } from '../../files/index.js';
import { translatorOf } from '../i18n/middleware.js';
import { type DriveTarget, driveTargetOf, useDrive } from '../drive-target.js';
import { contentTypeOf, decideRange, dispositionHeader, etagOf, type FileFacts, inlineTypeOf, lastModifiedOf, notModified } from './http-file.js';

export type SendMode = 'download' | 'view';

/**
 * For inline responses: a sandboxed document (no script, no same-origin, no forms, no plugins) that only
 * this app may frame (the preview modal), never sniffed into something else.
 */
export const VIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";
/** Attachments are never rendered by a browser, but if one ever is, it gets nothing. */
export const ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

export function factsOf(st: FileStats): FileFacts {
  return { size: Number(st.size), mtime: st.mtime, ctime: st.ctime, birthtime: st.birthtime };
}

/** True when the client went away (closed tab, cancelled download): not an error worth a log line. */
export function clientGone(res: Response): boolean {
  return res.destroyed || res.writableEnded || res.req.destroyed;
}

export async function sendFile(config: Config, files: FileService, req: Request, res: Response, mode: SendMode): Promise<void> {
  const target = driveTargetOf(config, req, res);
  const name = target.segments.at(-1);
  if (name === undefined || target.trailingSlash) throw new BadRequestError(...said('errors.download.namesFolder'));
  try {
    const st = await useDrive(files, req, target, (d, path) => d.stat(path), { idempotent: true });
    if (st.type === 'dir') throw new BadRequestError(...said('errors.download.isFolder', { item: name }));
    await streamTo(files, req, res, target, name, factsOf(st), mode);
  } catch (err) {
    throw toHttpError(err, name);
  }
}

async function streamTo(files: FileService, req: Request, res: Response, target: DriveTarget, name: string, f: FileFacts, mode: SendMode): Promise<void> {
  const inlineType = mode === 'view' ? inlineTypeOf(name) : undefined;
  const etag = etagOf(f);
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', lastModifiedOf(f));
  // Cached by the browser only, and revalidated every time, so a revoked permission takes effect at once.
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (inlineType !== undefined) {
    res.setHeader('Content-Security-Policy', VIEW_CSP);
    // The preview modal may frame PDFs and text (same origin); the app-wide default is DENY.
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  } else {
    res.setHeader('Content-Security-Policy', ATTACHMENT_CSP);
  }

  if (notModified(req.headers, f)) {
    res.status(304).end();
    return;
  }

  res.setHeader('Content-Type', inlineType ?? contentTypeOf(name));
  res.setHeader('Content-Disposition', dispositionHeader(inlineType === undefined ? 'attachment' : 'inline', name));

  const range = decideRange(req.headers, f);
  if (range.kind === 'unsatisfiable') {
    res.status(416).setHeader('Content-Range', `bytes */${f.size}`);
    res.removeHeader('Content-Disposition');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(`${translatorOf(res).t('errors.misc.rangeBeyondEnd', { name, size: f.size })}\n`);
    return;
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : f.size - 1;
  if (range.kind === 'partial') {
    res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${f.size}`);
  }
  res.setHeader('Content-Length', String(end - start + 1));

  if (req.method === 'HEAD' || f.size === 0) {
    res.end();
    return;
  }

  await useDrive(
    files,
    req,
    target,
    async (d, path) => {
      // The client going away stops the SMB reads at once rather than at the next write.
      const stop = new AbortController();
      const onClose = (): void => stop.abort(new Error('client closed the connection'));
      res.once('close', onClose);
      try {
        // pipeTo opens the file before writing anything: a failure there is still an error page (headers
        // go out with the first byte). Once bytes went out, the only honest answer is a cut connection.
        await d.sendTo(path, res, { start, end, signal: stop.signal });
      } catch (err) {
        if (res.headersSent) res.destroy(err instanceof Error ? err : undefined);
        throw stop.signal.aborted ? Object.assign(new Error('client closed the connection', { cause: err }), { code: 'ERR_STREAM_PREMATURE_CLOSE' }) : err;
      } finally {
        res.off('close', onClose);
      }
      res.end();
      await finished(res);
    },
    { idempotent: false },
  );
}
