/**
 * The state of a resumable upload, carried in its id: a ticket signed (HMAC-SHA256) with the session
 * secret. Nothing is stored on the web server: the ticket says who, where, what name, how large and which
 * temporary; the temporary itself on the file server holds the progress (its size is the offset). So any
 * instance that shares SESSION_SECRET can continue an upload, with Redis or without, and there is nothing
 * to expire or clean up here (the temporaries are swept on the file server; see upload-files.ts).
 * A ticket can't be forged or altered without the secret; one user's ticket is refused for another user.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CONFLICT_MODES, type ConflictMode } from './upload-names.js';

/** A resumable upload must finish within this time of its start. */
export const TICKET_LIFETIME_MS = 24 * 3600 * 1000;

export interface Ticket {
  /** Owner's username, lower case. */
  user: string;
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
  drive: z.string(),
  folder: z.array(z.string()),
  name: z.string(),
  size: z.number().int().nonnegative(),
  temp: z.string(),
  conflict: z.enum(CONFLICT_MODES),
  expires: z.number(),
});

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(`portcullis-upload:${payload}`).digest();

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
