// The thumbnail cache is keyed by the file's version. A picture replaced by another of exactly the same size,
// with its old times put back (as rsync -t or a copy that keeps times does), is still a new version and must get
// a new thumbnail, not the cached one. Samba reports the very same size and times for both (its ChangeTime is
// the mtime), so only the file id (the inode) tells them apart there; the key holds ctime as well for NTFS.
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { USERS, USERS_GID } from '../../fixtures/domain-data.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';
import { raw, urlOf } from './helpers.js';

const TOP = `thumb-version-${process.pid}-${Date.now()}`;
const NAME = 'swatch.png';
const KEPT_TIME = new Date('2024-05-01T12:00:00Z');

let domain: DomainInfo;
let app: WebApp;
let alice: HttpClient;
let dir: string;

/** A 64×64 solid PNG stored uncompressed: every colour gives a file of exactly the same size. */
const swatch = (r: number, g: number, b: number): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } })
    .png({ compressionLevel: 0, adaptiveFiltering: false, palette: false })
    .toBuffer();

/** The thumbnail's average colour (its first pixel is enough for a solid swatch). */
async function colourOf(webp: Buffer): Promise<number[]> {
  const { data } = await sharp(webp).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [data[0] ?? -1, data[1] ?? -1, data[2] ?? -1];
}

/** As rsync or a copy that keeps times puts a file in place: written beside it, times set, renamed over it. */
async function place(content: Buffer): Promise<void> {
  const temp = join(dir, `.${NAME}.tmp`);
  writeFileSync(temp, content);
  utimesSync(temp, KEPT_TIME, KEPT_TIME);
  renameSync(temp, join(dir, NAME));
  const uid = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;
  await run('chown', ['-R', `${uid}:${USERS_GID}`, dir]);
}

/** Size and times as the file server reports them (through Properties). */
async function asServerSees(): Promise<Record<string, unknown>> {
  const r = await raw(alice, 'GET', `/api/files/properties?drive=home&path=${encodeURIComponent(`${TOP}/${NAME}`)}`, { Accept: 'application/json' });
  const { size, created, modified, changed } = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
  return { size, created, modified, changed };
}

beforeAll(async () => {
  domain = requireDomain();
  dir = join(domain.homesDir, 'alice', TOP);
  mkdirSync(dir, { recursive: true });
  app = await startBrowseApp(domain);
  alice = await signedIn(app, 'alice');
});
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a picture replaced with the same size and modification time', () => {
  it('gets a new thumbnail, not the cached one of the picture it replaced', async () => {
    const red = await swatch(220, 20, 20);
    const blue = await swatch(20, 20, 220);
    expect(blue.length).toBe(red.length);

    await place(red);
    const before = statSync(join(dir, NAME));
    const seenBefore = await asServerSees();
    const first = await raw(alice, 'GET', urlOf('thumb', 'home', TOP, NAME));
    expect(first.status).toBe(200);
    expect(await colourOf(first.body)).toEqual([expect.closeTo(220, -1.5), expect.closeTo(20, -1.5), expect.closeTo(20, -1.5)]);
    // Asked again unchanged, it is the same thumbnail (same ETag): the cache works.
    const again = await raw(alice, 'GET', urlOf('thumb', 'home', TOP, NAME));
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));

    await place(blue);
    const after = statSync(join(dir, NAME));
    // On disk: same size and mtime, but another file (inode).
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(after.ino).not.toBe(before.ino);

    // The file server shows the replacement with the same size and all the same times.
    expect(await asServerSees()).toEqual(seenBefore);
    const second = await raw(alice, 'GET', urlOf('thumb', 'home', TOP, NAME));
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(await colourOf(second.body)).toEqual([expect.closeTo(20, -1.5), expect.closeTo(20, -1.5), expect.closeTo(220, -1.5)]);
  });
});
