import { describe, expect, it } from 'vitest';
import { loadConfig, type Config, type Drive } from '../../../src/config/index.js';
import { allowServer, driveIdPath, isBrowsableShare, parseServerName, serverShareDrive, takeDriveId } from '../../../src/drives/index.js';

const drive = (name: string, host: string, share: string): Drive => ({ name, unc: `\\\\${host}\\${share}`, host, share, path: '', groups: [] });
const alice = { username: 'alice', homeDirectory: '\\\\HOMES.example.test\\users\\alice', groups: [] };

function configWith(env: Record<string, string>, drives: Drive[] = [drive('Shared', 'files.example.test', 'shared')]): Config {
  return { ...loadConfig({ SMB_HOST_MAP: 'files.example.test=10.0.0.5:4450', ...env }), drives };
}

const verdict = (config: Config, text: string): string => {
  const r = allowServer(config, alice, text);
  return 'refused' in r ? r.refused : `${r.server.name} -> ${r.server.host}:${r.server.port}`;
};

describe('allowed servers', () => {
  it('by default: the servers the drives and the home directory name, reached where the host map says', () => {
    const config = configWith({});
    expect(verdict(config, 'files.example.test')).toBe('files.example.test -> 10.0.0.5:4450');
    expect(verdict(config, 'FILES.Example.Test')).toBe('files.example.test -> 10.0.0.5:4450');
    expect(verdict(config, 'homes.example.test')).toBe('homes.example.test -> homes.example.test:445');
    expect(verdict(config, 'other.example.test')).toBe('not_allowed');
    expect(verdict(config, 'intranet')).toBe('not_allowed');
  });

  it('SERVERS_ALLOWED replaces the default; * and ? stand within one label and never match an address', () => {
    const config = configWith({ SERVERS_ALLOWED: '*.dept.example.test, fs?.example.test, 192.0.2.10, 10.0.0.*' });
    expect(verdict(config, 'a.dept.example.test')).toBe('a.dept.example.test -> a.dept.example.test:445');
    expect(verdict(config, 'a.b.dept.example.test')).toBe('not_allowed');
    expect(verdict(config, 'fs1.example.test')).toBe('fs1.example.test -> fs1.example.test:445');
    expect(verdict(config, 'fs12.example.test')).toBe('not_allowed');
    expect(verdict(config, 'files.example.test')).toBe('not_allowed');
    expect(verdict(config, '192.0.2.10')).toBe('192.0.2.10 -> 192.0.2.10:445');
    expect(verdict(config, '10.0.0.7')).toBe('not_allowed');
  });

  it('a port other than the one the server is reached on needs an entry naming it', () => {
    const config = configWith({ SERVERS_ALLOWED: 'files.example.test, fs1.example.test:4455' });
    expect(verdict(config, 'files.example.test:4450')).toBe('files.example.test:4450 -> 10.0.0.5:4450');
    expect(verdict(config, 'files.example.test:22')).toBe('not_allowed');
    expect(verdict(config, 'fs1.example.test:4455')).toBe('fs1.example.test:4455 -> fs1.example.test:4455');
    expect(verdict(config, 'fs1.example.test')).toBe('not_allowed');
    expect(verdict(config, 'fs1.example.test:445')).toBe('not_allowed');
  });

  it('IP addresses only when listed, in any spelling a resolver would take as one', () => {
    const config = configWith({});
    for (const text of ['127.0.0.1', '10.0.0.5', '[::1]', '2130706433', '0x7f000001', '127.1', '017700000001']) {
      expect(verdict(config, text), text).not.toMatch(/->/u);
    }
  });

  it('odd characters and shapes are not names at all', () => {
    for (const text of ['', 'files.example.test/x', 'files example', 'files_example.test', '-files.example.test', 'files..example.test', 'files.example.test.', 'user@files.example.test', 'files.example.test:0', 'files.example.test:65536', 'files.example.test:0445', '%66iles', '0x7f000001', '0x7f.1', '2130706433', 'fïles.example.test', 'a'.repeat(64) + '.test']) {
      expect(parseServerName(text), text).toBeUndefined();
    }
    expect(() => loadConfig({ SERVERS_ALLOWED: '*' })).toThrow(/SERVERS_ALLOWED/u);
    expect(() => loadConfig({ SERVERS_ALLOWED: '*.*' })).toThrow(/SERVERS_ALLOWED/u);
    expect(() => loadConfig({ SERVERS_ALLOWED: 'files.example.test:99999' })).toThrow(/SERVERS_ALLOWED/u);
  });
});

describe('server share drives', () => {
  const config = configWith({});
  const r = allowServer(config, alice, 'files.example.test');
  if ('refused' in r) throw new Error('files.example.test should be allowed');

  it('id @host/share, URL /browse/@host/share/, and both spellings of the id parse back', () => {
    const d = serverShareDrive(r.server, 'Team Files');
    expect(d).toMatchObject({ id: '@files.example.test/Team Files', host: '10.0.0.5', port: 4450, share: 'Team Files', basePath: [] });
    expect(driveIdPath(d.id)).toBe('@files.example.test/Team%20Files');
    expect(driveIdPath('home')).toBe('home');
    expect(takeDriveId(['@files.example.test', 'Team%20Files', 'a', ''])).toEqual({ id: '@files.example.test/Team Files', rest: ['a', ''] });
    expect(takeDriveId([encodeURIComponent(d.id), 'a'])).toEqual({ id: d.id, rest: ['a'] });
    expect(takeDriveId(['home', 'a'])).toEqual({ id: 'home', rest: ['a'] });
  });

  it('share names: what Windows allows, not IPC$', () => {
    expect(isBrowsableShare('users')).toBe(true);
    expect(isBrowsableShare('C$')).toBe(true);
    for (const bad of ['', 'IPC$', 'ipc$', 'a/b', 'a\\b', '..', 'a:b', 'a*', ' lead', 'x'.repeat(81)]) expect(isBrowsableShare(bad), bad).toBe(false);
  });
});
