import { describe, expect, it } from 'vitest';
import { loadConfig, type Config, type Drive } from '../../../src/config/index.js';
import { drivesFor } from '../../../src/drives/index.js';
import { drivesMemo } from '../../../src/web/auth/drives-memo.js';

const drive = (name: string, host: string, share: string, path: string, groups: string[] = []): Drive => ({ name, unc: `\\\\${host}\\${share}${path ? `\\${path}` : ''}`, host, share, path, groups });
const config: Config = {
  ...loadConfig({}),
  drives: [drive('Shared', 'files.example.test', 'shared', '', ['staff']), drive('Scratch', 'files.example.test', 'scratch', '%USERNAME%'), drive('Library', 'files.example.test', 'library', '')],
};
const STAFF = 'CN=staff,CN=Users,DC=example,DC=test';
const alice = { username: 'alice', homeDirectory: '\\\\files.example.test\\users\\alice', groups: [STAFF] };

describe('drivesMemo', () => {
  it('answers as drivesFor does, and the same answer again for the same user', () => {
    const memo = drivesMemo(config, undefined);
    const first = memo(alice);
    expect(first).toEqual(drivesFor(alice, config));
    expect(memo({ ...alice, groups: [...alice.groups] })).toBe(first);
  });

  it("never gives one user's drives to another, even with the same groups and home", () => {
    const memo = drivesMemo(config, undefined);
    memo(alice);
    const mallory = { ...alice, username: 'mallory' };
    const theirs = memo(mallory);
    expect(theirs).toEqual(drivesFor(mallory, config));
    expect(theirs.find((d) => d.id === 'scratch')?.basePath).toEqual(['mallory']);
  });

  it('works the drives out again when the groups or the home directory change', () => {
    const memo = drivesMemo(config, undefined);
    expect(memo(alice).map((d) => d.id)).toEqual(['home', 'shared', 'scratch', 'library']);
    expect(memo({ ...alice, groups: [] }).map((d) => d.id)).toEqual(['home', 'scratch', 'library']);
    const { homeDirectory: _gone, ...homeless } = alice;
    expect(memo(homeless).map((d) => d.id)).toEqual(['shared', 'scratch', 'library']);
    expect(memo({ ...alice, homeDirectory: '\\\\files.example.test\\users\\alice2' })[0]?.basePath).toEqual(['alice2']);
  });

  it('logs a warning about an unusable drive once per user, not per request', () => {
    const warnings: string[] = [];
    const memo = drivesMemo(config, { warn: (m: string) => void warnings.push(m) });
    const odd = { ...alice, homeDirectory: 'not a UNC' };
    memo(odd);
    memo(odd);
    expect(warnings).toHaveLength(1);
  });

  it('stays bounded', () => {
    const memo = drivesMemo(config, undefined, 2);
    const a = memo(alice);
    memo({ ...alice, username: 'bob' });
    memo({ ...alice, username: 'carol' }); // full: emptied, then kept
    expect(memo(alice)).not.toBe(a);
    expect(memo(alice)).toEqual(a);
  });
});
