import { describe, expect, it } from 'vitest';
import { loadConfig, type Config, type Drive } from '../../../src/config/index.js';
import { drivesFor, groupCn, inAnyGroup, slugify } from '../../../src/drives/index.js';

const drive = (name: string, unc: string, groups: string[] = []): Drive => {
  const m = /^\\\\([^\\]+)\\([^\\]+)\\?(.*)$/u.exec(unc);
  if (!m) throw new Error(`bad test UNC ${unc}`);
  return { name, unc, host: m[1] ?? '', share: m[2] ?? '', path: m[3] ?? '', groups };
};

function configWith(drives: Drive[]): Config {
  const base = loadConfig({ SMB_HOST_MAP: 'files.example.test=10.0.0.5:4450' });
  return { ...base, drives };
}

const STAFF = 'CN=staff,CN=Users,DC=example,DC=test';
const STUDENTS = 'CN=students,CN=Users,DC=example,DC=test';

const logs: { message: string; meta?: Record<string, unknown> }[] = [];
const logger = { warn: (message: string, meta?: Record<string, unknown>) => logs.push({ message, ...(meta ? { meta } : {}) }) };

describe('drivesFor', () => {
  const config = configWith([
    drive('Shared', '\\\\files.example.test\\shared', ['staff']),
    drive('Library', '\\\\files.example.test\\readonly'),
    drive('Students only', '\\\\other.example.test\\stud\\Year 1', ['CN=Students,CN=Users,DC=Example,DC=Test']),
    drive('Scratch', '\\\\files.example.test\\scratch\\%USERNAME%\\work'),
    drive('Profile', '\\\\files.example.test\\%username%$'),
  ]);

  it('puts "My home" first, from homeDirectory, with the host mapped (and the UNC\'s own name kept for showing)', () => {
    const drives = drivesFor({ username: 'alice', homeDirectory: '\\\\files.example.test\\users\\alice', groups: [STAFF] }, config);
    expect(drives[0]).toEqual({ id: 'home', name: 'My home', host: '10.0.0.5', port: 4450, server: 'files.example.test', share: 'users', basePath: ['alice'] });
  });

  it('shows group-restricted drives only to members (by CN, case-insensitive, or by DN)', () => {
    const alice = drivesFor({ username: 'alice', homeDirectory: '\\\\files.example.test\\users\\alice', groups: [STAFF] }, config);
    expect(alice.map((d) => d.id)).toEqual(['home', 'shared', 'library', 'scratch', 'profile']);
    const bob = drivesFor({ username: 'bob', homeDirectory: '\\\\files.example.test\\users\\bob', groups: [STUDENTS.toUpperCase()] }, config);
    expect(bob.map((d) => d.id)).toEqual(['home', 'library', 'students-only', 'scratch', 'profile']);
    const students = bob.find((d) => d.id === 'students-only');
    expect(students).toEqual({ id: 'students-only', name: 'Students only', host: 'other.example.test', port: 445, server: 'other.example.test', share: 'stud', basePath: ['Year 1'] });
  });

  it('shows no restricted drive to a user without groups, and no home without homeDirectory', () => {
    expect(drivesFor({ username: 'x', groups: [] }, config).map((d) => d.id)).toEqual(['library', 'scratch', 'profile']);
  });

  it('does not match a group by a CN appearing later in the DN, or by a prefix', () => {
    expect(inAnyGroup(['CN=interns,OU=staff,DC=example,DC=test'], ['staff'])).toBe(false);
    expect(inAnyGroup(['CN=staffing,CN=Users,DC=example,DC=test'], ['staff'])).toBe(false);
    expect(inAnyGroup(['CN=Staff,CN=Users,DC=example,DC=test'], [' STAFF '])).toBe(true);
    expect(inAnyGroup(['CN=staff, CN=Users, DC=example, DC=test'], ['cn=staff,cn=users,dc=example,dc=test'])).toBe(true);
    expect(inAnyGroup([], [])).toBe(true);
  });

  it('reads CNs with escaped commas and hex escapes', () => {
    expect(groupCn('CN=Smith\\, John,OU=People,DC=x')).toBe('Smith, John');
    expect(groupCn('CN=Gr\\C3\\BC\\6Eer,DC=x')).toBe('Grüner');
    expect(groupCn('OU=People,DC=x')).toBeUndefined();
    expect(inAnyGroup(['CN=Art \\+ Design,OU=Groups,DC=x'], ['art + design'])).toBe(true);
  });

  it('matches many groups (a 250-group user)', () => {
    const groups = Array.from({ length: 250 }, (_, i) => `CN=group-${String(i + 1).padStart(3, '0')},CN=Users,DC=example,DC=test`);
    const c = configWith([drive('G250', '\\\\h\\s', ['group-250']), drive('G999', '\\\\h\\t', ['group-999'])]);
    expect(drivesFor({ username: 'manygroups', groups }, c).map((d) => d.id)).toEqual(['g250']);
  });

  it('substitutes %USERNAME% (any case) in the share and path', () => {
    const drives = drivesFor({ username: 'jürgen', groups: [] }, config);
    expect(drives.find((d) => d.id === 'scratch')).toMatchObject({ share: 'scratch', basePath: ['jürgen', 'work'] });
    expect(drives.find((d) => d.id === 'profile')).toMatchObject({ share: 'jürgen$', basePath: [] });
  });

  it.each(['..', '.', 'a\\b', 'a/b', '..\\admin', 'x:y', 'a*', 'a?', 'a"b', 'a<b', 'a>b', 'a|b', 'a..b', 'a\u0000b', ' alice', ''])(
    'hides %USERNAME% drives (and logs it) for the username %j',
    (username) => {
      logs.length = 0;
      const drives = drivesFor({ username, groups: [] }, config, logger);
      expect(drives.map((d) => d.id)).toEqual(['library']);
      expect(logs).toHaveLength(2);
      expect(logs[0]?.message).toMatch(/username cannot be put into a drive path/u);
    },
  );

  it('skips a homeDirectory that is not a UNC path, and logs it', () => {
    logs.length = 0;
    for (const homeDirectory of ['H:\\', '/home/alice', '\\\\files.example.test', '\\\\files.example.test\\users\\..\\admin', '\\\\bad host\\users\\x']) {
      expect(drivesFor({ username: 'alice', homeDirectory, groups: [] }, config, logger).map((d) => d.id)).not.toContain('home');
    }
    expect(logs).toHaveLength(5);
  });

  it('accepts forward slashes and a trailing separator in homeDirectory', () => {
    const [home] = drivesFor({ username: 'alice', homeDirectory: '//files.example.test/users/alice/', groups: [] }, config);
    expect(home).toMatchObject({ id: 'home', share: 'users', basePath: ['alice'] });
  });

  it('gives stable, unique, URL-safe ids whatever the user can see', () => {
    const c = configWith([
      drive('Shared', '\\\\h\\a', ['staff']),
      drive('shared!', '\\\\h\\b'),
      drive('Home', '\\\\h\\c'),
      drive('Übung & Prüfung', '\\\\h\\d'),
      drive('📁', '\\\\h\\e'),
    ]);
    const all = drivesFor({ username: 'alice', groups: [STAFF] }, c).map((d) => d.id);
    expect(all).toEqual(['shared', 'shared-2', 'home-2', 'ubung-prufung', 'drive']);
    // Without staff, "shared!" keeps its id rather than taking "shared".
    expect(drivesFor({ username: 'bob', groups: [] }, c).map((d) => d.id)).toEqual(['shared-2', 'home-2', 'ubung-prufung', 'drive']);
    expect(slugify('  Räume / Säle  ')).toBe('raume-sale');
  });
});
