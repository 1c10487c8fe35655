// `portcullis smb ls --kerberos` as a user runs it: a child process against the AD DC, signing in with Kerberos.
import { describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { runSmbCli } from './helpers.js';

describe('portcullis smb --kerberos against the AD DC', () => {
  const domain = requireDomain();
  const target = `//${domain.ip}/${domain.shares.users}/alice`;
  // The DC is addressed by IP, so its name for the ticket is given; the KDC defaults to that host.
  const args = (user: string): string[] => ['--kerberos', '--user', user, '--server-name', domain.fileServerName, '--json', '-v'];

  it('lists alice\'s home over a Kerberos session, and says so with -v', async () => {
    const r = await runSmbCli(['ls', target, ...args(`alice@${domain.realm.toLowerCase()}`)], domain.password);
    expect(r.stderr).toMatch(/\(Kerberos\): dialect 3\.1\.1, signing AES-/);
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name);
    expect(names.length).toBeGreaterThan(0);
  });

  it('a wrong password is a Kerberos logon failure (exit 4), one line, no stack', async () => {
    const r = await runSmbCli(['ls', target, ...args(`bob@${domain.realm}`)], 'wrong-password');
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^portcullis smb: Kerberos logon failure: .*pre-authentication failed/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
