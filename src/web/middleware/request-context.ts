import { randomInt } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface RequestContext {
  /** Also the reference shown on error pages, so what a user reads out matches one log line. */
  id: string;
  startedAt: bigint;
  /** Set by sign-in once a user is known. */
  username?: string;
  /** The drive (id) and the path inside it the request works on, when known: for error reports. */
  drive?: string;
  smbPath?: string;
}

/** Routes that touch a drive note which one and where, so an error report can name it. */
export function noteSmbTarget(res: { locals: { context?: RequestContext } }, drive: string, smbPath: string): void {
  const context = res.locals.context;
  if (!context) return;
  context.drive = drive;
  context.smbPath = smbPath;
}

// Crockford base32 without I, L, O, U: easy to read aloud to a help desk.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newRequestId(length = 10): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

declare module 'express-serve-static-core' {
  interface Locals {
    context: RequestContext;
  }
}

/**
 * Gives every request an id (X-Request-Id) and a context in res.locals. An incoming X-Request-Id is
 * not reused: a client could pick one that collides with another request's reference in the logs.
 * (Deliberately not AsyncLocalStorage: it turns on promise hooks for the whole process, a cost on every
 * promise of every SMB request, and everything that needs the context has the response at hand.)
 */
export function requestContext(): RequestHandler {
  return (_req, res, next) => {
    const context: RequestContext = { id: newRequestId(), startedAt: process.hrtime.bigint() };
    res.locals.context = context;
    res.setHeader('X-Request-Id', context.id);
    next();
  };
}
