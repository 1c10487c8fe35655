// With `map to guest = Bad Password`, smbd turns a wrong password into a guest session. The client must
// report a logon failure instead of showing the guest's view under the user's name.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';
import { SmbGuestSessionError, SmbLogonFailureError } from '../../../src/smb/index.js';
import { connect } from './helpers.js';

const execFileAsync = promisify(execFile);
const GUEST_SETTINGS = { 'map to guest': 'Bad Password', 'guest ok': 'yes' };

describe('an smbd that maps bad passwords to guest', () => {
  let f: SmbdFixture;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-guest', port: 4623, settings: GUEST_SETTINGS });
    writeFileSync(join(f.readonlyDir, 'public.txt'), 'anyone may read this\n');
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('really lets a wrong password in as guest (smbclient lists the share)', async () => {
    const { stdout } = await execFileAsync('smbclient', [`//${f.host}/${f.readonlyShare}`, '-p', String(f.port), '-U', `${f.username}%wrong-password`, '-c', 'ls']);
    expect(stdout).toContain('public.txt');
  });

  it('a wrong password is a logon failure for our client, never a guest session', async () => {
    for (const share of [f.share, f.readonlyShare]) {
      const err = await connect(f, { share, credential: { username: f.username, domain: f.domain, password: 'wrong-password' } }).catch((e: unknown) => e);
      expect(err, share).toBeInstanceOf(SmbGuestSessionError);
      expect(err).toBeInstanceOf(SmbLogonFailureError);
      expect((err as SmbLogonFailureError).status).toBe(NtStatus.LOGON_FAILURE);
    }
  });

  it('the right password still signs in as the user, signed', async () => {
    const client = await connect(f, { share: f.readonlyShare });
    try {
      expect(client.signingAlgorithm).toBeDefined();
      expect((await client.readdir('')).map((e) => e.name)).toContain('public.txt');
    } finally {
      await client.close();
    }
  });
});
