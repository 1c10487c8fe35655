import type { RedisClientType } from 'redis';
import { said, UnavailableError } from '../errors/index.js';
import type { DocChange, DocKind, UserDocs, UserDocStore } from './store-types.js';

const PREFIX = 'portcullis:user:';
/** Enough for every request of one user racing at once; each round at least one of them gets through. */
const MAX_ATTEMPTS = 100;

/**
 * Compare-and-set on a document's version: the write happens only if nobody else wrote since it was read.
 * One script, so the check and the write are one atomic step on the server (no WATCH, which would need a
 * connection of its own per update).
 */
const CAS = `
local v = redis.call('HGET', KEYS[1], ARGV[1] .. ':v')
if (v or '0') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], ARGV[1] .. ':v', tostring(tonumber(ARGV[2]) + 1))
return 1
`;

const unavailable = (err: unknown): UnavailableError =>
  new UnavailableError(...said('errors.server.userdataUnavailable', undefined, { cause: err, code: 'userdata_unavailable' }));

const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * User documents in Redis, shared by every instance: one hash per user (`portcullis:user:<guid>`) holding each
 * document and its version. No expiry: they are the user's, like files (so Redis must persist, see README).
 */
export class RedisUserDocStore implements UserDocStore {
  readonly kind = 'redis' as const;

  constructor(private readonly redis: RedisClientType) {}

  async read(guid: string): Promise<UserDocs> {
    let reply: (string | null)[];
    try {
      reply = (await this.redis.hmGet(PREFIX + guid, ['settings', 'bookmarks'])) as (string | null)[];
    } catch (err) {
      throw unavailable(err);
    }
    return { settings: parse(reply[0]), bookmarks: parse(reply[1]) };
  }

  async update<T>(guid: string, kind: DocKind, change: DocChange<T>): Promise<T> {
    const key = PREFIX + guid;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let current: (string | null)[];
      try {
        current = (await this.redis.hmGet(key, [kind, `${kind}:v`])) as (string | null)[];
      } catch (err) {
        throw unavailable(err);
      }
      // May throw (a limit, an unknown id): nothing has been written then.
      const { doc, result } = change(parse(current[0]));
      let written: unknown;
      try {
        written = await this.redis.eval(CAS, { keys: [key], arguments: [kind, current[1] ?? '0', JSON.stringify(doc)] });
      } catch (err) {
        throw unavailable(err);
      }
      if (written === 1) return result;
    }
    throw unavailable(new Error(`gave up after ${MAX_ATTEMPTS} conflicting writes`));
  }

  close(): Promise<void> {
    // The client belongs to the session store, which closes it.
    return Promise.resolve();
  }
}
