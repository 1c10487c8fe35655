import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { USERS, USERS_GID } from '../../fixtures/domain-data.js';
import { SmbAccessDeniedError, SmbClient, SmbIsDirectoryError, SmbNotFoundError, SmbSharingViolationError } from '../../../src/smb/index.js';
import { Access, CreateDisposition, CreateOption } from '../../../src/smb/messages/constants.js';

const uidOf = (username: string): number => USERS.find((u) => u.username === username)?.uidNumber ?? 0;

/**
 * SmbShare.unlinkFiles: several delete-on-close opens in one compound, each its own chain, against the DC's smbd
 * (signing mandatory). Every file's fate is its own: one that is held open, denied, missing or a folder fails with
 * its own error, the others are gone.
 */
describe('deleting several files in one compound', () => {
  const domain = requireDomain();
  const top = `unlink-files-${process.pid}`;
  const disk = join(domain.homesDir, 'alice', top);
  const bobDisk = join(domain.homesDir, 'bob', `${top}.txt`);
  let alice: SmbClient;
  let other: SmbClient;

  const put = (name: string, text: string): void => {
    writeFileSync(join(disk, name), text);
    chownSync(join(disk, name), uidOf('alice'), USERS_GID);
  };

  beforeAll(async () => {
    mkdirSync(disk, { recursive: true });
    chownSync(disk, uidOf('alice'), USERS_GID);
    const options = { host: domain.ip, share: domain.shares.users, credential: { username: 'alice', domain: domain.netbiosDomain, password: domain.password }, timeoutMs: 15_000 };
    alice = await SmbClient.connect(options);
    other = await SmbClient.connect(options);
  });
  afterAll(async () => {
    await alice?.close();
    await other?.close();
    rmSync(disk, { recursive: true, force: true });
    rmSync(bobDisk, { force: true });
  });

  it('deletes every file it is given', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `all-${i}.txt`);
    for (const n of names) put(n, n);
    const share = alice.share(domain.shares.users);
    const results = await share.unlinkFiles(names.map((n) => `alice/${top}/${n}`));
    expect(results).toEqual(names.map(() => undefined));
    for (const n of names) expect(existsSync(join(disk, n)), n).toBe(false);
  });

  it('a held-open, a denied, a missing file and a folder each report their own error; the files around them are gone', async () => {
    put('first.txt', '1');
    put('held.txt', 'held open\n');
    put('last.txt', '3');
    mkdirSync(join(disk, 'folder'));
    chownSync(join(disk, 'folder'), uidOf('alice'), USERS_GID);
    writeFileSync(bobDisk, "bob's\n");
    chownSync(bobDisk, uidOf('bob'), USERS_GID);
    // Another client (as another program would) holds held.txt open, sharing nothing.
    const handle = await other.share(domain.shares.users).open(`alice/${top}/held.txt`, {
      desiredAccess: Access.FILE_READ_DATA | Access.SYNCHRONIZE,
      disposition: CreateDisposition.OPEN,
      createOptions: CreateOption.NON_DIRECTORY_FILE,
      shareAccess: 0,
    });
    const share = alice.share(domain.shares.users);
    try {
      const results = await share.unlinkFiles([`alice/${top}/first.txt`, `alice/${top}/held.txt`, `bob/${top}.txt`, `alice/${top}/missing.txt`, `alice/${top}/folder`, `alice/${top}/last.txt`]);
      expect(results[0]).toBeUndefined();
      expect(results[1]).toBeInstanceOf(SmbSharingViolationError);
      expect(results[2]).toBeInstanceOf(SmbAccessDeniedError);
      expect(results[3]).toBeInstanceOf(SmbNotFoundError);
      expect(results[4]).toBeInstanceOf(SmbIsDirectoryError);
      expect(results[5]).toBeUndefined();
      expect(existsSync(join(disk, 'first.txt'))).toBe(false);
      expect(existsSync(join(disk, 'last.txt'))).toBe(false);
      expect(readFileSync(join(disk, 'held.txt'), 'utf8')).toBe('held open\n');
      expect(readFileSync(bobDisk, 'utf8')).toBe("bob's\n");
      expect(existsSync(join(disk, 'folder'))).toBe(true);
    } finally {
      await handle.close();
    }
    // Nothing of ours was left open on it: once the other program lets go, it goes like any other file.
    expect(await share.unlinkFiles([`alice/${top}/held.txt`])).toEqual([undefined]);
    expect(existsSync(join(disk, 'held.txt'))).toBe(false);
  });
});
