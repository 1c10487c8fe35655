import type { RequestHandler } from 'express';
import type { Logger } from '../../log.js';

/**
 * One line per request when it finishes or the client goes away. The path is logged without its
 * query string, which may carry tokens. Bytes are the body bytes actually written, so a download
 * cut short shows as such.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // Below info (LOG_LEVEL=warn) the line would be dropped: skip the wrapping and counting too.
    if (!logger.isInfoEnabled()) return next();
    const path = req.originalUrl.split('?')[0] ?? '';
    let bytes = 0;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    const count = (chunk: unknown, encoding?: unknown): void => {
      if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;

    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      const context = res.locals.context;
      const ms = context ? Number(process.hrtime.bigint() - context.startedAt) / 1e6 : undefined;
      const roundedMs = ms === undefined ? undefined : Math.round(ms * 10) / 10;
      const fields: Record<string, unknown> = { id: context?.id, method: req.method, path, status: res.statusCode, ms: roundedMs, bytes };
      if (context?.username) fields.user = context.username;
      if (!res.writableFinished) fields.aborted = true;
      logger.info(`${req.method} ${path} ${res.statusCode} ${roundedMs ?? '?'} ms`, fields);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
