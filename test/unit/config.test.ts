import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowsUnsignedSmb, availableThemes, ConfigError, DEFAULT_USER_FILTER, loadAllowUnsignedHosts, loadConfig, missingLdapSettings, missingSignInSettings, resolveSmbHost, shippedThemes } from '../../src/config/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives a working development config from an empty environment', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.server).toEqual({ port: 3000, host: '0.0.0.0', trustProxy: false, shutdownGraceSeconds: 30, headersTimeoutSeconds: 60, maxHeaderBytes: 65_536, requestTimeoutSeconds: 300 });
    expect(c.admission).toEqual({ maxInFlight: 64, queueLimit: 2000, queueWaitMs: 10_000 });
    expect(c.log).toEqual({ level: 'info', format: 'pretty' });
    expect(c.site).toEqual({ name: 'Portcullis', theme: 'default', themesAllowed: availableThemes() });
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.session.secretGenerated).toBe(true);
    expect(c.session.secret.length).toBeGreaterThanOrEqual(32);
    expect(c.ldap).toEqual({
      urls: [],
      caFile: undefined,
      startTls: false,
      bindDn: undefined,
      bindPassword: undefined,
      baseDn: undefined,
      userFilter: DEFAULT_USER_FILTER,
      timeoutMs: 5000,
    });
    expect(c.ad.domain).toBeUndefined();
    expect(c.smb).toEqual({ auth: 'auto', hostMap: {}, timeoutMs: 10_000, probe: [], idleSeconds: 300, maxConnectionsPerServer: 500, giveWayAfterSeconds: 30, queueLimit: 200, queueTimeoutMs: 10_000, connectConcurrency: 16, allowUnsignedHosts: [] });
    expect(c.session).toMatchObject({ idleMinutes: 30, absoluteHours: 12, rememberMe: true, rememberDays: 14, cookieSecure: 'auto', redisUrl: undefined });
    expect(c.auth).toEqual({ allowedGroups: [], nestedGroups: true, maxFailuresPerUser: 5, maxFailuresPerIp: 30, windowMinutes: 15, signInConcurrency: 8, signInQueueWaitSeconds: 30, signInQueueLimit: 2000 });
    expect(c.drives).toEqual([]);
    expect(c.upload).toEqual({ maxBytes: 10 * 1024 ** 3, sweepIntervalSeconds: 300 });
    expect(c.mail).toMatchObject({ host: undefined, port: 587, secure: false, adminEmails: [], dedupMinutes: 15, maxPerHour: 20 });
    expect(c.admin).toEqual({ token: undefined, metricsPort: undefined });
    expect(c.log.file).toBeUndefined();
    expect(missingLdapSettings(c)).toEqual(['LDAP_URLS', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN']);
    expect(missingSignInSettings(c)).toEqual(['LDAP_URLS', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN', 'AD_DOMAIN']);
  });

  it('generates a different session secret per process start', () => {
    expect(loadConfig({}).session.secret).not.toBe(loadConfig({}).session.secret);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', THEME: '  ' }).server.port).toBe(3000);
  });

  it('logs JSON in production unless told otherwise', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret }).log.format).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, LOG_FORMAT: 'pretty' }).log.format).toBe('pretty');
  });
});

describe('loadConfig values', () => {
  it('parses a full LDAP, SMB and mail setup', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\n');
    const c = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      THEME: 'Darkly',
      LDAP_URLS: 'ldaps://dc1.example.test, ldaps://127.0.0.2:636',
      LDAP_CA_FILE: ca,
      LDAP_BIND_DN: 'CN=svc,CN=Users,DC=example,DC=test',
      LDAP_BIND_PASSWORD: ' spaced secret ',
      LDAP_BASE_DN: 'DC=example,DC=test',
      AD_DOMAIN: 'example',
      SMB_HOST_MAP: 'DC1.example.test=127.0.0.2:445, fs1=10.0.0.5, v6=[::1]:4450',
      SMB_PROBE: '127.0.0.9:4450',
      MAIL_HOST: 'smtp.example.test',
      MAIL_SECURE: 'yes',
      MAIL_FROM: 'Portcullis <portcullis@example.test>',
      ADMIN_EMAILS: 'a@example.test,b@example.test',
      MAIL_DEDUP_MINUTES: '5',
      MAIL_MAX_PER_HOUR: '100',
      ADMIN_TOKEN: 'admin-token-0123456789',
      METRICS_PORT: '9464',
      SHUTDOWN_GRACE_SECONDS: '5',
      HTTP_HEADERS_TIMEOUT_SECONDS: '20',
      HTTP_REQUEST_TIMEOUT_SECONDS: '7200',
      LOG_FILE: 'logs/portcullis.log',
    });
    expect(c.server).toEqual({ port: 8080, host: '127.0.0.1', trustProxy: ['loopback', '10.0.0.0/8'], shutdownGraceSeconds: 5, headersTimeoutSeconds: 20, maxHeaderBytes: 65_536, requestTimeoutSeconds: 7200 });
    expect(c.site.theme).toBe('darkly');
    expect(c.ldap.urls).toEqual(['ldaps://dc1.example.test', 'ldaps://127.0.0.2:636']);
    expect(c.ldap.caFile).toBe(ca);
    expect(c.ldap.bindPassword).toBe(' spaced secret ');
    expect(c.ad.domain).toBe('EXAMPLE');
    expect(c.smb.hostMap).toEqual({
      'dc1.example.test': { host: '127.0.0.2', port: 445 },
      fs1: { host: '10.0.0.5', port: 445 },
      v6: { host: '::1', port: 4450 },
    });
    expect(resolveSmbHost(c, 'DC1.EXAMPLE.TEST')).toEqual({ host: '127.0.0.2', port: 445 });
    expect(resolveSmbHost(c, 'other')).toEqual({ host: 'other', port: 445 });
    expect(c.smb.probe).toEqual([{ host: '127.0.0.9', port: 4450 }]);
    expect(c.mail).toMatchObject({ host: 'smtp.example.test', port: 465, secure: true, adminEmails: ['a@example.test', 'b@example.test'], dedupMinutes: 5, maxPerHour: 100 });
    expect(c.admin).toEqual({ token: 'admin-token-0123456789', metricsPort: 9464 });
    expect(c.log.file).toBe(path.resolve('logs/portcullis.log'));
    expect(missingLdapSettings(c)).toEqual([]);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['192.168.0.1, fd00::/8', ['192.168.0.1', 'fd00::/8']],
  ])('accepts TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).server.trustProxy).toEqual(expected);
  });

  it('SMB_ALLOW_UNSIGNED_HOSTS names legacy servers case-insensitively, for the app and for portcullis smb alike', () => {
    const env = { SMB_ALLOW_UNSIGNED_HOSTS: 'NAS1.example.test., 10.0.0.7' };
    const hosts = loadConfig(env).smb.allowUnsignedHosts;
    expect(hosts).toEqual(['nas1.example.test', '10.0.0.7']);
    expect(loadAllowUnsignedHosts(env)).toEqual(hosts);
    expect(loadAllowUnsignedHosts({})).toEqual([]);
    expect(() => loadAllowUnsignedHosts({ SMB_ALLOW_UNSIGNED_HOSTS: 'nas1:445' })).toThrow(/^SMB_ALLOW_UNSIGNED_HOSTS: expected .*got "nas1:445"$/);
    expect(allowsUnsignedSmb(hosts, 'Nas1.Example.Test')).toBe(true);
    expect(allowsUnsignedSmb(hosts, 'nas1.example.test.')).toBe(true);
    expect(allowsUnsignedSmb(hosts, '10.0.0.7')).toBe(true);
    expect(allowsUnsignedSmb(hosts, 'nas1')).toBe(false);
    expect(allowsUnsignedSmb([], 'nas1.example.test')).toBe(false);
  });

  it('reads UPLOAD_MAX_BYTES and refuses a bad one', () => {
    expect(loadConfig({ UPLOAD_MAX_BYTES: '1048576' }).upload.maxBytes).toBe(1_048_576);
    expect(() => loadConfig({ UPLOAD_MAX_BYTES: '0' })).toThrow(/^UPLOAD_MAX_BYTES: expected an integer/);
    expect(() => loadConfig({ UPLOAD_MAX_BYTES: '10GB' })).toThrow(/^UPLOAD_MAX_BYTES: expected an integer/);
  });

  it('reads the zip caps (ZIP_MAX_BYTES, ZIP_MAX_ENTRIES) with defaults, and refuses bad ones', () => {
    expect(loadConfig({}).zip).toEqual({ maxBytes: 20 * 1024 ** 3, maxEntries: 50_000 });
    expect(loadConfig({ ZIP_MAX_BYTES: '1048576', ZIP_MAX_ENTRIES: '10' }).zip).toEqual({ maxBytes: 1_048_576, maxEntries: 10 });
    expect(() => loadConfig({ ZIP_MAX_BYTES: '0' })).toThrow(/^ZIP_MAX_BYTES: expected an integer/);
    expect(() => loadConfig({ ZIP_MAX_ENTRIES: '1e3' })).toThrow(/^ZIP_MAX_ENTRIES: expected an integer/);
  });

  it('reads the session, sign-in and SMB pool settings', () => {
    const c = loadConfig({
      SESSION_IDLE_MINUTES: '10', SESSION_MAX_HOURS: '8', SESSION_REMEMBER_ME: 'false', SESSION_COOKIE_SECURE: 'true',
      REDIS_URL: 'redis://127.0.0.1:6390', SIGNIN_GROUPS: 'staff; CN=students,CN=Users,DC=example,DC=test',
      LOGIN_MAX_PER_USER: '3', SMB_IDLE_SECONDS: '60', SMB_QUEUE_LIMIT: '0',
    });
    expect(c.session).toMatchObject({ idleMinutes: 10, absoluteHours: 8, rememberMe: false, cookieSecure: true, redisUrl: 'redis://127.0.0.1:6390' });
    expect(c.auth.allowedGroups).toEqual(['staff', 'CN=students,CN=Users,DC=example,DC=test']);
    expect(c.auth.maxFailuresPerUser).toBe(3);
    expect(c.smb).toMatchObject({ idleSeconds: 60, queueLimit: 0 });
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => loadConfig({ SESSION_COOKIE_SECURE: 'maybe' })).toThrow(/^SESSION_COOKIE_SECURE: expected auto, true or false/);
  });

  it('reads *_FILE secrets without their trailing newline', () => {
    const c = loadConfig({ LDAP_BIND_PASSWORD_FILE: file('ldap-pw', 'from-a-file\n'), SESSION_SECRET_FILE: file('ss', `${'s'.repeat(40)}\n`) });
    expect(c.ldap.bindPassword).toBe('from-a-file');
    expect(c.session).toMatchObject({ secret: 's'.repeat(40), secretGenerated: false });
  });
});

describe('loadConfig errors: one line naming the variable', () => {
  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['PORT', { PORT: 'abc' }, /^PORT: expected an integer 1–65535, got "abc"$/],
    ['PORT', { PORT: '70000' }, /^PORT: expected an integer 1–65535, got "70000"$/],
    ['PORT', { PORT: '-1' }, /^PORT: /],
    ['HOST', { HOST: 'not a host' }, /^HOST: expected .*got "not a host"$/],
    ['NODE_ENV', { NODE_ENV: 'staging' }, /^NODE_ENV: expected one of development, production, test, got "staging"$/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of error, warn, info/],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }, /^LOG_FORMAT: expected json or pretty, got "xml"$/],
    ['SITE_NAME', { SITE_NAME: 'x'.repeat(61) }, /^SITE_NAME: expected a name of at most 60 characters/],
    ['THEME', { THEME: 'neon' }, /^THEME: expected one of default, .*zephyr, got "neon"$/],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }, /^TRUST_PROXY: expected .*got "maybe"$/],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/99' }, /^TRUST_PROXY: /],
    ['LDAP_URLS', { LDAP_URLS: 'ldaps://ok, https://dc1' }, /^LDAP_URLS: expected .*ldap:\/\/ or ldaps:\/\/.*got "ldaps:\/\/ok, https:\/\/dc1"$/],
    ['LDAP_URLS', { LDAP_URLS: 'ldaps://dc1/DC=x' }, /^LDAP_URLS: /],
    ['LDAP_CA_FILE', { LDAP_CA_FILE: '/nonexistent/ca.pem' }, /^LDAP_CA_FILE: expected a readable PEM file, got "\/nonexistent\/ca.pem"$/],
    ['LDAP_STARTTLS', { LDAP_STARTTLS: 'sometimes' }, /^LDAP_STARTTLS: expected true or false, got "sometimes"$/],
    ['LDAP_STARTTLS', { LDAP_STARTTLS: 'true', LDAP_URLS: 'ldaps://dc1' }, /^LDAP_STARTTLS: StartTLS applies to ldap:\/\/ URLs only/],
    ['LDAP_BASE_DN', { LDAP_BASE_DN: 'example.test' }, /^LDAP_BASE_DN: expected a DN/],
    ['LDAP_USER_FILTER', { LDAP_USER_FILTER: '(sAMAccountName=alice)' }, /^LDAP_USER_FILTER: expected .*\{username\}/],
    ['LDAP_TIMEOUT_MS', { LDAP_TIMEOUT_MS: '5s' }, /^LDAP_TIMEOUT_MS: expected an integer/],
    ['AD_DOMAIN', { AD_DOMAIN: 'EXAMPLE.TEST.IS.TOO.LONG' }, /^AD_DOMAIN: expected a NetBIOS domain name/],
    ['SMB_HOST_MAP', { SMB_HOST_MAP: 'dc1=127.0.0.2:99999' }, /^SMB_HOST_MAP: expected a comma-separated list of uncHost=host\[:port\], got "dc1=127.0.0.2:99999"$/],
    ['SMB_HOST_MAP', { SMB_HOST_MAP: 'dc1' }, /^SMB_HOST_MAP: /],
    ['SMB_TIMEOUT_MS', { SMB_TIMEOUT_MS: '0' }, /^SMB_TIMEOUT_MS: expected an integer/],
    ['SMB_PROBE', { SMB_PROBE: 'host:port' }, /^SMB_PROBE: /],
    ['SMB_ALLOW_UNSIGNED_HOSTS', { SMB_ALLOW_UNSIGNED_HOSTS: 'nas1, //nas2/share' }, /^SMB_ALLOW_UNSIGNED_HOSTS: expected a comma-separated list of host names or IP addresses, as connected to, got "nas1, \/\/nas2\/share"$/],
    ['DRIVES_FILE', { DRIVES_FILE: '/nonexistent/drives.yaml' }, /^DRIVES_FILE: expected a readable YAML or JSON file/],
    ['MAIL_PORT', { MAIL_PORT: 'smtp' }, /^MAIL_PORT: expected an integer 1–65535, got "smtp"$/],
    ['MAIL_SECURE', { MAIL_SECURE: 'tls' }, /^MAIL_SECURE: expected true or false/],
    ['MAIL_FROM', { MAIL_FROM: 'Portcullis <nope>' }, /^MAIL_FROM: expected an e-mail address/],
    ['ADMIN_EMAILS', { ADMIN_EMAILS: 'a@example.test, bob' }, /^ADMIN_EMAILS: expected a comma-separated list of e-mail addresses/],
    ['MAIL_DEDUP_MINUTES', { MAIL_DEDUP_MINUTES: '0' }, /^MAIL_DEDUP_MINUTES: expected an integer 1–1440/],
    ['MAIL_MAX_PER_HOUR', { MAIL_MAX_PER_HOUR: 'lots' }, /^MAIL_MAX_PER_HOUR: expected an integer 1–10000/],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN: expected at least 16 characters without spaces$/],
    ['METRICS_PORT', { METRICS_PORT: '3000' }, /^METRICS_PORT: must differ from PORT \(3000\)/],
    ['SHUTDOWN_GRACE_SECONDS', { SHUTDOWN_GRACE_SECONDS: '-1' }, /^SHUTDOWN_GRACE_SECONDS: expected an integer 0–3600/],
  ])('%s (%j)', (variable, env, message) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  it('requires SESSION_SECRET in production', () => {
    const err = configError({ NODE_ENV: 'production' });
    expect(err.variable).toBe('SESSION_SECRET');
    expect(err.message).toBe('SESSION_SECRET: required when NODE_ENV=production (at least 32 random characters)');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'k'.repeat(32) }).session.secretGenerated).toBe(false);
  });

  it('never echoes a secret value', () => {
    const err = configError({ SESSION_SECRET: 'too-short-secret' });
    expect(err.message).toBe('SESSION_SECRET: expected at least 32 characters');
    expect(configError({ LDAP_BIND_PASSWORD: 'Zq9\u0001xy' }).message).toBe('LDAP_BIND_PASSWORD: expected a password without control characters');
  });

  it('refuses a secret given both directly and as a file', () => {
    const err = configError({ LDAP_BIND_PASSWORD: 'a', LDAP_BIND_PASSWORD_FILE: file('pw2', 'b') });
    expect(err.message).toBe('LDAP_BIND_PASSWORD: set either LDAP_BIND_PASSWORD or LDAP_BIND_PASSWORD_FILE, not both');
  });

  it('names the *_FILE variable when the file cannot be read', () => {
    expect(configError({ MAIL_PASSWORD_FILE: '/nonexistent/pw' }).message).toBe('MAIL_PASSWORD_FILE: cannot read "/nonexistent/pw" (ENOENT)');
  });
});

describe('drives file', () => {
  const drives = (name: string, content: string) => loadConfig({ DRIVES_FILE: file(name, content) }).drives;
  const drivesError = (name: string, content: string) => configError({ DRIVES_FILE: file(name, content) });

  it('reads YAML: a list, UNC with either slash, optional groups', () => {
    const yaml = [
      '- name: Shared',
      "  unc: '\\\\fs1.example.test\\shared'",
      '  groups: [staff, "CN=Teachers,OU=Groups,DC=example,DC=test"]',
      '- name: Projects',
      '  unc: //fs1/projects/%USERNAME%/work/',
    ].join('\n');
    expect(drives('d.yaml', yaml)).toEqual([
      { name: 'Shared', unc: '\\\\fs1.example.test\\shared', host: 'fs1.example.test', share: 'shared', path: '', groups: ['staff', 'CN=Teachers,OU=Groups,DC=example,DC=test'] },
      { name: 'Projects', unc: '\\\\fs1\\projects\\%USERNAME%\\work\\', host: 'fs1', share: 'projects', path: '%USERNAME%\\work', groups: [] },
    ]);
  });

  it('reads YAML with a top-level drives: key', () => {
    expect(drives('top.yml', "drives:\n  - name: Library\n    unc: '\\\\dc1\\library'\n")).toEqual([
      { name: 'Library', unc: '\\\\dc1\\library', host: 'dc1', share: 'library', path: '', groups: [] },
    ]);
  });

  it('reads JSON', () => {
    const json = JSON.stringify([{ name: 'Shared', unc: '\\\\fs1\\shared', groups: ['staff'] }]);
    expect(drives('d.json', json)).toEqual([{ name: 'Shared', unc: '\\\\fs1\\shared', host: 'fs1', share: 'shared', path: '', groups: ['staff'] }]);
  });

  it('treats an empty file as no drives', () => {
    expect(drives('empty.yaml', '')).toEqual([]);
  });

  it.each([
    ['bad.json', '[{"name": "x",', /^DRIVES_FILE: .*bad\.json: not valid JSON: /],
    ['bad.yaml', '- name: [unclosed', /^DRIVES_FILE: .*bad\.yaml: not valid YAML: /],
    ['scalar.yaml', 'just text', /^DRIVES_FILE: .*: expected a list of drives/],
    ['noname.yaml', "- unc: '\\\\fs1\\s'", /^DRIVES_FILE: .*: \[0\]\.name: expected a non-empty name$/],
    ['badunc.yaml', '- name: A\n  unc: fs1/share', /^DRIVES_FILE: .*: \[0\]\.unc: expected a UNC path like \\\\server\\share\\folder, got "fs1\/share"$/],
    ['noshare.yaml', "- name: A\n  unc: '\\\\fs1'", /^DRIVES_FILE: .*: \[0\]\.unc: expected a UNC path/],
    ['groups.yaml', "- name: A\n  unc: '\\\\fs1\\s'\n  groups: staff", /^DRIVES_FILE: .*: \[0\]\.groups: expected a list of group names$/],
    ['extra.yaml', "- name: A\n  unc: '\\\\fs1\\s'\n  group: [staff]", /^DRIVES_FILE: .*: \[0\]: .*group/],
    ['dup.yaml', "- name: A\n  unc: '\\\\fs1\\s'\n- name: a\n  unc: '\\\\fs1\\t'", /^DRIVES_FILE: .*: \[1\]\.name: duplicate drive name "a"$/],
    ['top.yaml', "shares:\n  - name: A\n    unc: '\\\\fs1\\s'", /^DRIVES_FILE: .*: unknown top-level key "shares"/],
    ['topbad.yaml', 'drives:\n  - name: A\n', /^DRIVES_FILE: .*: drives\[0\]\.unc: /],
  ])('refuses %s with one line', (name, content, message) => {
    const err = drivesError(name, content);
    expect(err.variable).toBe('DRIVES_FILE');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });
});

describe('theme registry', () => {
  it('lists exactly the installed Bootswatch themes plus default', () => {
    const installed = readdirSync(path.resolve('node_modules/bootswatch/dist'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect([...shippedThemes()].sort()).toEqual(['default', ...installed].sort());
  });
});
