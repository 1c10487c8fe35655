import { createHash } from 'node:crypto';

/**
 * Credentials opened from the vault, kept a short while per web session. Opening the sealed NTOWFv2 (and the
 * sealed TGT, when kept) is two AES-GCM decryptions and a JSON parse on every SMB request: ~0.15 ms of the app's
 * CPU per request under load. Safety rests on the lookup key, not on the expiry:
 * - an entry belongs to one session id and is found only when a digest of everything the opening read
 *   (the session id, the user, the sealed blobs and the key cookie) is equal, so a new sign-in under the same id,
 *   a changed password, or a missing or different key cookie never finds it, and one user's entry never reaches
 *   another: the same inputs always opened to the same value;
 * - the key cookie enters only through the digest, so nothing here compares a secret in non-constant time;
 * - entries live `ttlMs` from their opening (not from last use), are dropped once expired when the next opening
 *   comes, and the map is bounded (oldest out first).
 */
export class OpenedCredentials<T> {
  private readonly entries = new Map<string, { digest: string; value: T; expiresAt: number }>();

  constructor(
    private readonly options: { ttlMs: number; max: number; now?: () => number },
  ) {}

  /** The value opened for these inputs within ttlMs, else `open()`'s (kept unless it throws). */
  get(sessionId: string, inputs: readonly string[], open: () => T): T {
    const now = this.options.now?.() ?? Date.now();
    const digest = digestOf(sessionId, inputs);
    const entry = this.entries.get(sessionId);
    if (entry !== undefined && entry.digest === digest && entry.expiresAt > now) return entry.value;
    const value = open();
    this.entries.delete(sessionId); // re-inserted last: the Map's order is then the order of opening
    this.entries.set(sessionId, { digest, value, expiresAt: now + this.options.ttlMs });
    // Oldest first (one ttl for all): expired entries, and any beyond the bound, leave here.
    for (const [id, e] of this.entries) {
      if (e.expiresAt > now && this.entries.size <= this.options.max) break;
      this.entries.delete(id);
    }
    return value;
  }

  /** Forgets a session's entry (its sign-out). */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  get size(): number {
    return this.entries.size;
  }
}

function digestOf(sessionId: string, inputs: readonly string[]): string {
  const h = createHash('sha256').update(sessionId);
  // Length-prefixed, so no two different input lists hash the same text.
  for (const part of inputs) h.update(`\0${part.length}\0`).update(part);
  return h.digest('base64url');
}
