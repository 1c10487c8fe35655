// The file service's face per drive (src/files) against the real Samba AD DC: each operation round-trips,
// and failures come back as the typed errors routes map to HTTP (exists, not found, not empty, denied).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { drivesFor, type DriveRef } from '../../../src/drives/index.js';
import { toHttpError } from '../../../src/errors/index.js';
import { AccessDeniedError, ExistsError, FileNotFoundError, FileService, NotEmptyError, type DriveFiles } from '../../../src/files/index.js';
import { SmbPool, type PoolCredential } from '../../../src/sessions/index.js';
import { ntowfv2 } from '../../../src/smb/index.js';
import { appEnvFor } from '../../fixtures/app-env.js';
import { homeDirectoryOf } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { requireDomain } from '../../fixtures/require-domain.js';

const STAFF_DN = 'CN=staff,CN=Users,DC=example,DC=test';
const STUDENTS_DN = 'CN=students,CN=Users,DC=example,DC=test';

let domain: DomainInfo;
let config: Config;
let pool: SmbPool;
let service: FileService;
const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-files-'));
/** A folder of this run's own in alice's home, so reruns and other files never meet. */
const TOP = `files-test-${process.pid}-${Date.now()}`;

function credentialOf(username: string): PoolCredential {
  return { username, domain: domain.netbiosDomain, ntowfv2: ntowfv2(domain.password, username, domain.netbiosDomain) };
}

function filesOf(username: string, groups: string[], driveId: string): DriveFiles {
  const drive = drivesFor({ username, homeDirectory: homeDirectoryOf(username), groups }, config).find((d: DriveRef) => d.id === driveId);
  if (!drive) throw new Error(`${username} has no drive ${driveId}`);
  const credential = credentialOf(username);
  return service.forDrive({ sessionId: `files-${username}`, credential: () => credential }, drive);
}

/** The file as the DC's own disk has it: proves what the server holds, not what our client reads back. */
const onDisk = (...segments: string[]): string => join(domain.dir, 'homes', 'alice', TOP, ...segments);
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Uploads `data` the way the upload routes do: into a temporary, then placed under its name. */
async function put(alice: DriveFiles, dir: string[], name: string, data: Buffer): Promise<void> {
  await alice.run(
    dir,
    async (d, path) => {
      const temp = `.~portcullis-test-${randomBytes(4).toString('hex')}.part`;
      await d.write(path === '' ? temp : `${path}/${temp}`, Readable.from([data]), { flags: 'wx' });
      expect(await d.place(path, temp, name, 'fail')).toBe(name);
    },
    { idempotent: false },
  );
}

beforeAll(async () => {
  domain = requireDomain();
  config = loadConfig({ ...appEnvFor(domain), DATA_DIR: dataDir });
  pool = new SmbPool(config);
  service = new FileService(pool);
  await filesOf('alice', [STAFF_DN], 'home').mkdir([TOP]);
});

afterAll(async () => {
  await filesOf('alice', [STAFF_DN], 'home').remove([TOP], { recursive: true }).catch(() => undefined);
  await pool.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DriveFiles against the AD DC', () => {
  it('mkdir, stat and list round-trip; a second mkdir is a typed "exists" (409)', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    await alice.mkdir([TOP, 'made']);
    expect((await alice.stat([TOP, 'made'])).type).toBe('dir');
    expect((await alice.list([TOP], 100)).entries.map((e) => e.name)).toContain('made');
    const err = await alice.mkdir([TOP, 'made']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExistsError);
    expect(toHttpError(err, 'made')).toMatchObject({ status: 409, code: 'exists' });
  });

  it('place puts an upload in place; copy is server-side and the copy has the same sha256 on the server disk', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await alice.mkdir([TOP, 'copies']);
    await put(alice, [TOP, 'copies'], 'original.bin', data);
    await alice.copy([TOP, 'copies', 'original.bin'], [TOP, 'copies', 'copy.bin']);
    expect(sha256(readFileSync(onDisk('copies', 'copy.bin')))).toBe(sha256(data));
    expect(sha256(readFileSync(onDisk('copies', 'original.bin')))).toBe(sha256(data));
    // The server-side copy would overwrite: the service refuses an existing target first.
    const err = await alice.copy([TOP, 'copies', 'original.bin'], [TOP, 'copies', 'copy.bin']).catch((e: unknown) => e);
    expect(toHttpError(err, 'copy.bin')).toMatchObject({ status: 409, code: 'exists' });
  });

  it('copies a folder tree', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    await alice.mkdir([TOP, 'tree', 'a', 'b'], { recursive: true });
    const data = randomBytes(4096);
    await put(alice, [TOP, 'tree', 'a', 'b'], 'leaf.txt', data);
    await alice.copy([TOP, 'tree'], [TOP, 'tree-copy']);
    expect(sha256(readFileSync(onDisk('tree-copy', 'a', 'b', 'leaf.txt')))).toBe(sha256(data));
  });

  it('rename round-trips, and never replaces an existing name unless asked', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    await alice.mkdir([TOP, 'ren']);
    await put(alice, [TOP, 'ren'], 'one.txt', Buffer.from('one'));
    await put(alice, [TOP, 'ren'], 'two.txt', Buffer.from('two'));
    await alice.rename([TOP, 'ren', 'one.txt'], [TOP, 'ren', 'uno.txt']);
    await alice.rename([TOP, 'ren', 'uno.txt'], [TOP, 'ren', 'one.txt']);
    expect(readFileSync(onDisk('ren', 'one.txt'), 'utf8')).toBe('one');
    await expect(alice.rename([TOP, 'ren', 'one.txt'], [TOP, 'ren', 'two.txt'])).rejects.toBeInstanceOf(ExistsError);
    await alice.rename([TOP, 'ren', 'one.txt'], [TOP, 'ren', 'two.txt'], { replace: true });
    expect(readFileSync(onDisk('ren', 'two.txt'), 'utf8')).toBe('one');
  });

  it('moves a file across folders', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    await alice.mkdir([TOP, 'from']);
    await alice.mkdir([TOP, 'to']);
    const data = randomBytes(100_000);
    await put(alice, [TOP, 'from'], 'moving.bin', data);
    await alice.move([TOP, 'from', 'moving.bin'], [TOP, 'to', 'moving.bin']);
    expect(existsSync(onDisk('from', 'moving.bin'))).toBe(false);
    expect(sha256(readFileSync(onDisk('to', 'moving.bin')))).toBe(sha256(data));
    const err = await alice.stat([TOP, 'from', 'moving.bin']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect(toHttpError(err, 'moving.bin')).toMatchObject({ status: 404 });
  });

  it('remove refuses a non-empty folder ("not empty", 409) and removes it recursively when asked', async () => {
    const alice = filesOf('alice', [STAFF_DN], 'home');
    await alice.mkdir([TOP, 'full', 'inner', 'deeper'], { recursive: true });
    await put(alice, [TOP, 'full', 'inner'], 'f.txt', Buffer.from('x'));
    await put(alice, [TOP, 'full', 'inner', 'deeper'], 'g.txt', Buffer.from('y'));
    const err = await alice.remove([TOP, 'full']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotEmptyError);
    expect(toHttpError(err, 'full')).toMatchObject({ status: 409, code: 'not_empty' });
    await alice.remove([TOP, 'full'], { recursive: true });
    expect(existsSync(onDisk('full'))).toBe(false);
    await expect(alice.remove([TOP, 'full'])).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('bob changes nothing on Library: every mutation is a typed "access denied" (403)', async () => {
    const bob = filesOf('bob', [STUDENTS_DN], 'library');
    const someone = (await bob.list([], 100)).entries.find((e) => e.type === 'file' && e.name !== '.' && e.name !== '..');
    if (!someone) throw new Error('the Library fixture has no file at its top');
    const attempts: [string, () => Promise<unknown>][] = [
      ['mkdir', () => bob.mkdir(['bob-was-here'])],
      ['rename', () => bob.rename([someone.name], ['renamed-by-bob'])],
      ['remove', () => bob.remove([someone.name])],
      ['copy', () => bob.copy([someone.name], ['copied-by-bob'])],
      ['move', () => bob.move([someone.name], ['moved-by-bob'])],
    ];
    for (const [op, attempt] of attempts) {
      const err = await attempt().then(() => new Error(`${op} succeeded`), (e: unknown) => e);
      expect(err, op).toBeInstanceOf(AccessDeniedError);
      expect(toHttpError(err).status, op).toBe(403);
    }
    expect((await bob.stat([someone.name])).type).toBe('file');
  });
});
