// Secure defaults of the configuration (issue 10, items 5 and 7): pure logic, no servers.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupWarnings } from '../../src/config/index.js';

const production = { NODE_ENV: 'production', SESSION_SECRET: 'k'.repeat(32) };

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('SESSION_COOKIE_SECURE', () => {
  it('defaults to Secure in production and to auto elsewhere', () => {
    expect(loadConfig(production).session.cookieSecure).toBe(true);
    expect(loadConfig({}).session.cookieSecure).toBe('auto');
    expect(loadConfig({ NODE_ENV: 'test' }).session.cookieSecure).toBe('auto');
  });

  it('is off in production only when set to false explicitly', () => {
    expect(loadConfig({ ...production, SESSION_COOKIE_SECURE: 'false' }).session.cookieSecure).toBe(false);
    expect(loadConfig({ ...production, SESSION_COOKIE_SECURE: 'true' }).session.cookieSecure).toBe(true);
    expect(loadConfig({ ...production, SESSION_COOKIE_SECURE: '' }).session.cookieSecure).toBe(true);
  });

  it('refuses auto in production, where it would send cookies without Secure over plain HTTP', () => {
    expect(configError({ ...production, SESSION_COOKIE_SECURE: 'auto' })).toBe(
      'SESSION_COOKIE_SECURE: auto is not allowed when NODE_ENV=production: cookies are Secure there (true, the default) unless set to false',
    );
  });
});

describe('plain ldap:// in production', () => {
  const plain = { ...production, LDAP_URLS: 'ldaps://dc1.example.test, ldap://dc2.example.test:389' };

  it('is refused without StartTLS, naming the URL and the setting that allows it', () => {
    expect(configError(plain)).toBe(
      'LDAP_URLS: ldap://dc2.example.test:389 would send passwords in clear text; use ldaps://, or set LDAP_STARTTLS=true, or set LDAP_ALLOW_PLAINTEXT=true to accept that (NODE_ENV=production)',
    );
  });

  it('is accepted with StartTLS, or with LDAP_ALLOW_PLAINTEXT=true', () => {
    expect(loadConfig({ ...production, LDAP_URLS: 'ldap://dc2.example.test', LDAP_STARTTLS: 'true' }).ldap.startTls).toBe(true);
    expect(loadConfig({ ...plain, LDAP_ALLOW_PLAINTEXT: 'true' }).ldap.urls).toEqual(['ldaps://dc1.example.test', 'ldap://dc2.example.test:389']);
    expect(configError({ ...plain, LDAP_ALLOW_PLAINTEXT: 'maybe' })).toBe('LDAP_ALLOW_PLAINTEXT: expected true or false, got "maybe"');
  });

  it('is accepted outside production (development against a lab DC), with a warning', () => {
    const config = loadConfig({ LDAP_URLS: 'ldap://127.0.0.1' });
    expect(startupWarnings(config)).toEqual([expect.stringContaining("LDAP_URLS ldap://127.0.0.1 without LDAP_STARTTLS: the service account's and users' passwords cross the network in clear text")]);
  });
});

describe('startupWarnings', () => {
  it('is empty for development defaults and for production behind a named proxy', () => {
    expect(startupWarnings(loadConfig({}))).toEqual([]);
    expect(startupWarnings(loadConfig({ ...production, TRUST_PROXY: '1', LDAP_URLS: 'ldaps://dc1' }))).toEqual([]);
    expect(startupWarnings(loadConfig({ ...production, TRUST_PROXY: '10.0.0.5' }))).toEqual([]);
  });

  it('warns about production on plain HTTP with no trusted proxy', () => {
    for (const trust of [undefined, 'false', '0']) {
      const env = trust === undefined ? production : { ...production, TRUST_PROXY: trust };
      expect(startupWarnings(loadConfig(env)), String(trust)).toEqual([
        expect.stringMatching(/^NODE_ENV=production serves plain HTTP with no trusted proxy \(TRUST_PROXY is not set\): the Secure session cookie is never set over plain HTTP, so sign-in fails\./),
      ]);
    }
  });

  it('warns about TRUST_PROXY=true and about production cookies without Secure', () => {
    expect(startupWarnings(loadConfig({ TRUST_PROXY: 'true' }))).toEqual([expect.stringContaining('TRUST_PROXY=true believes X-Forwarded-For')]);
    expect(startupWarnings(loadConfig({ ...production, TRUST_PROXY: '1', SESSION_COOKIE_SECURE: 'false' }))).toEqual([
      'SESSION_COOKIE_SECURE=false in production: the session and key cookies are also sent over plain HTTP',
    ]);
  });

  it('warns when instances share Redis without a shared SESSION_SECRET', () => {
    expect(startupWarnings(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual([
      expect.stringMatching(/^REDIS_URL is set but SESSION_SECRET is not: .*Give every instance the same SESSION_SECRET$/),
    ]);
    expect(startupWarnings(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', SESSION_SECRET: 's'.repeat(32) }))).toEqual([]);
  });
});
