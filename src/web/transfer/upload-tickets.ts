/**
 * The state of a resumable upload, carried in its id: a ticket signed (HMAC-SHA256) with the session
 * secret. Nothing is stored on the web server: the ticket says who, in which sign-in, where, what name, how
 * large and which temporary; the temporary itself on the file server holds the progress (its size is the
 * offset). So any instance that shares SESSION_SECRET and the session store can continue an upload.
 * A ticket can't be forged or altered without the secret; one user's ticket is refused for another user,
 * and a ticket is bound to the web session it was made in, so it dies with that session (sign-out destroys
 * the session wherever it is stored, the embedded store or Redis): revocation needs no list of tickets.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CONFLICT_MODES, type ConflictMode } from '../../files/index.js';

/** A resumable upload must finish within this time of its start. */
export const TICKET_LIFETIME_MS = 24 * 3600 * 1000;

export interface Ticket {
  /** Owner's username, lower case. */
  user: string;
  /** sessionTag() of the web session that started the upload. */
  session: string;
  drive: string;
  /** Folder segments inside the drive. */
  folder: string[];
  name: string;
  size: number;
  temp: string;
  conflict: ConflictMode;
  expires: number;
}

const TicketSchema = z.object({
  user: z.string(),
  session: z.string(),
  drive: z.string(),
  folder: z.array(z.string()),
  name: z.string(),
  size: z.number().int().nonnegative(),
  temp: z.string(),
  conflict: z.enum(CONFLICT_MODES),
  expires: z.number(),
});

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(`portcullis-upload:${payload}`).digest();

/**
 * Names the web session in a ticket without carrying its id: the id is a bearer secret, and tickets travel
 * in URLs (and so in access logs).
 */
export function sessionTag(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`portcullis-upload-session:${sessionId}`).digest('base64url').slice(0, 22);
}

export function sealTicket(secret: string, ticket: Ticket): string {
  const payload = Buffer.from(JSON.stringify(ticket), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The ticket, or undefined when the id is malformed, forged or altered. Expiry is the caller's check. */
export function openTicket(secret: string, id: string): Ticket | undefined {
  const dot = id.indexOf('.');
  if (dot <= 0 || id.length > 8192) return undefined;
  const payload = id.slice(0, dot);
  const given = Buffer.from(id.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = TicketSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
