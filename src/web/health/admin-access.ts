import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. False when no token is configured. */
export function hasAdminToken(req: Request, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(token));
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * A request from this machine itself: the socket is loopback and no proxy forwarded it. A reverse proxy on the
 * same host connects from loopback too, so a forwarded request never counts as local, whatever `trust proxy` says.
 */
export function isLocalRequest(req: Request): boolean {
  const remote = req.socket.remoteAddress ?? '';
  return LOOPBACK.test(remote) && req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
}
