import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { type AppError, AuthMethodRefusedError, NotFoundError, toHttpError, UnavailableError } from '../../errors/index.js';
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import type { Logger } from '../../log.js';
import { newRequestId } from './request-context.js';

export interface UnexpectedErrorReport {
  error: unknown;
  reference: string;
  req: Request;
}

export interface ErrorHandlerOptions {
  logger: Logger;
  /** Called for every unexpected (500) error, e.g. to mail the admins. Must not throw or block. */
  onUnexpected?: (report: UnexpectedErrorReport) => void;
  /** Called for every known upstream outage (503), e.g. to confirm it and mail "degraded" once. Must not throw or block. */
  onUnavailable?: (report: UnexpectedErrorReport) => void;
  /** Called for every error that reaches the handler, with its HTTP status (metrics). */
  onError?: (err: unknown, status: number) => void;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** Reports an error that a route answers itself (the sign-in form renders its own page) rather than passing on. */
    reportError?: (err: unknown) => void;
    /** No route took the request (set by notFound()), so metrics label it "(unmatched)" rather than by path. */
    unmatchedRoute?: boolean;
  }
}

export interface ErrorReportingHooks {
  onUnexpected?: ((report: UnexpectedErrorReport) => void) | undefined;
  onUnavailable?: ((report: UnexpectedErrorReport) => void) | undefined;
}

/** Lets routes that answer errors themselves reach the same hooks as the error handler (see reportHandledError). */
export function errorReporting(hooks: ErrorReportingHooks): RequestHandler {
  return (req, res, next) => {
    res.locals.reportError = (err: unknown) => {
      const error = toHttpError(err);
      const report = { error: err, reference: res.locals.context?.id ?? newRequestId(), req };
      if (!error.expose) hooks.onUnexpected?.(report);
      else if (error instanceof UnavailableError) hooks.onUnavailable?.(report);
    };
    next();
  };
}

/**
 * For routes that catch an error and answer it themselves: an unexpected one still reaches the admins' mail,
 * an upstream outage still counts toward the "service degraded" report. Expected errors are ignored. Never throws.
 */
export function reportHandledError(res: Response, err: unknown): void {
  try {
    res.locals.reportError?.(err);
  } catch {
    // reporting must never break the answer
  }
}

/** Unknown routes go through the same error path, so they get the same page and JSON shape. */
export const notFound = (): RequestHandler => (_req, res, next) => {
  res.locals.unmatchedRoute = true;
  next(new NotFoundError());
};

/** Retry-After of every 503 for an outage (a file server or the directory not answering). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

/** Statuses with a title of their own in the catalogue (errors.title.<status>); others use Node's status text. */
const TITLED = new Set([400, 401, 403, 404, 409, 413, 423, 500, 502, 503, 507] as const);
type Titled = typeof TITLED extends Set<infer S> ? S : never;
const isTitled = (status: number): status is Titled => TITLED.has(status as Titled);

/** A queue's own estimate of when to come back (SmbBusyError and the like), when the error carries one. */
function retryAfterOf(error: AppError): number | undefined {
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * THE error middleware. Users get a friendly page (or JSON when they ask for it) with the request's
 * reference; never a stack. Unexpected errors are logged with their stack under the same reference.
 */
export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  const { logger } = options;
  return (err: unknown, req, res, _next) => {
    const error: AppError = toHttpError(err);
    const reference = res.locals.context?.id ?? newRequestId();
    const unexpected = !error.expose;
    const where = { reference, method: req.method, path: req.originalUrl.split('?')[0], user: res.locals.context?.username };

    try {
      options.onError?.(err, error.status);
    } catch {
      // metrics must never break the answer
    }
    if (unexpected) {
      logger.error(`unexpected error: ${error.message}`, { ...where, err: err instanceof Error ? err : error });
      try {
        options.onUnexpected?.({ error: err, reference, req });
      } catch (reportErr) {
        logger.error('error reporter failed', { reference, err: reportErr });
      }
    } else if (error instanceof AuthMethodRefusedError) {
      // A configuration mismatch with the file server: worth a warning an admin sees, not a mail per request.
      logger.warn('file server refused the sign-in method', { ...where, cause: error.cause instanceof Error ? error.cause.message : undefined });
    } else if (error instanceof UnavailableError) {
      logger.warn(`upstream unavailable: ${error.message}`, { ...where, cause: error.cause instanceof Error ? error.cause.message : undefined });
      try {
        options.onUnavailable?.({ error: err, reference, req });
      } catch (reportErr) {
        logger.error('outage reporter failed', { reference, err: reportErr });
      }
    }

    // Mid-body there is no way to send an error page; cutting the connection is what tells the
    // client (and the browser's download manager) that the body is incomplete.
    if (res.headersSent) {
      // A route that ended its body itself has said what went wrong in it (a folder page's failed listing).
      if (!res.writableEnded) res.destroy(err instanceof Error ? err : undefined);
      return;
    }

    const status = error.status;
    const { t } = translatorOf(res);
    // In the user's language where the error names its message in the catalogue; else its English text.
    const message = unexpected ? t('errors.internal') : userMessageOf(res, error);
    res.status(status);
    res.setHeader('Cache-Control', 'no-store');
    if (status === 503) res.setHeader('Retry-After', String(retryAfterOf(error) ?? UNAVAILABLE_RETRY_AFTER_SECONDS));
    else if (status === 429 && retryAfterOf(error) !== undefined) res.setHeader('Retry-After', String(retryAfterOf(error)));

    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: { status, code: error.code, message, reference } });
      return;
    }
    const title = isTitled(status) ? t(`errors.title.${status}`) : (STATUS_CODES[status] ?? 'Error');
    const locals = { title, status, message, reference, showReference: status >= 500 };
    res.render('pages/error', locals, (renderErr: Error | null, html?: string) => {
      if (renderErr || html === undefined) {
        logger.error('error page failed to render', { reference, err: renderErr });
        res.type('text/plain').send(`${status} ${title}\n${message}\nReference: ${reference}\n`);
        return;
      }
      res.type('html').send(html);
    });
  };
}
