// OpenID Connect settings and the claim → AD account mapping (issue 15 section 4): pure logic, no servers.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupWarnings } from '../../../src/config/index.js';
import { accountFromClaims, OidcAccountError } from '../../../src/web/auth/oidc-claims.js';

const domain = { dnsDomain: 'example.test', realm: 'EXAMPLE.TEST', netbios: 'EXAMPLE' };

function refusal(claims: Record<string, unknown>, claim: Parameters<typeof accountFromClaims>[1]): string {
  try {
    accountFromClaims(claims, claim, domain);
  } catch (err) {
    expect(err).toBeInstanceOf(OidcAccountError);
    expect((err as OidcAccountError).status).toBe(403);
    return (err as Error).message;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(claims)}`);
}

describe('accountFromClaims', () => {
  it('maps a upn of the AD domain, in either case, to its sAMAccountName', () => {
    expect(accountFromClaims({ upn: 'alice@example.test' }, 'upn', domain)).toBe('alice');
    expect(accountFromClaims({ upn: 'alice@EXAMPLE.TEST' }, 'upn', domain)).toBe('alice');
    expect(accountFromClaims({ upn: 'jürgen@Example.Test' }, 'upn', domain)).toBe('jürgen');
  });

  it('refuses a upn of another realm clearly, naming both domains', () => {
    const message = refusal({ upn: 'alice@other.example' }, 'upn');
    expect(message).toContain('alice@other.example');
    expect(message).toContain('example.test');
    // A realm that merely ends with ours is another realm.
    refusal({ upn: 'alice@evilexample.test' }, 'upn');
    refusal({ upn: 'alice@sub.example.test' }, 'upn');
  });

  it('refuses a missing, empty or malformed claim, naming the claim', () => {
    expect(refusal({ preferred_username: 'alice' }, 'upn')).toContain('"upn"');
    expect(refusal({ upn: '' }, 'upn')).toContain('"upn"');
    expect(refusal({ upn: 42 }, 'upn')).toContain('"upn"');
    refusal({ upn: 'alice' }, 'upn');
    refusal({ upn: '@example.test' }, 'upn');
    refusal({ upn: 'a@b@example.test' }, 'upn');
    refusal({ upn: 'ali\nce@example.test' }, 'upn');
    refusal({ upn: `${'a'.repeat(300)}@example.test` }, 'upn');
  });

  it('takes preferred_username as a bare name, name@realm (same rule as upn) or DOMAIN\\name', () => {
    expect(accountFromClaims({ preferred_username: 'bob' }, 'preferred_username', domain)).toBe('bob');
    expect(accountFromClaims({ preferred_username: 'bob@example.test' }, 'preferred_username', domain)).toBe('bob');
    expect(accountFromClaims({ preferred_username: 'example\\bob' }, 'preferred_username', domain)).toBe('bob');
    refusal({ preferred_username: 'bob@other.example' }, 'preferred_username');
    refusal({ preferred_username: 'OTHER\\bob' }, 'preferred_username');
    refusal({ preferred_username: 'a/b' }, 'preferred_username');
  });

  it('takes onPremisesSamAccountName only as a bare name', () => {
    expect(accountFromClaims({ onPremisesSamAccountName: 'carol' }, 'onPremisesSamAccountName', domain)).toBe('carol');
    refusal({ onPremisesSamAccountName: 'carol@example.test' }, 'onPremisesSamAccountName');
    refusal({ onPremisesSamAccountName: 'EXAMPLE\\carol' }, 'onPremisesSamAccountName');
  });
});

describe('OIDC settings', () => {
  const oidc = { OIDC_ISSUER: 'https://login.example.edu/tenant/v2.0', OIDC_CLIENT_ID: 'portcullis', OIDC_CLIENT_SECRET: ' s3cret ' };

  it('are off without OIDC_ISSUER, and defaulted with it', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    const config = loadConfig(oidc).oidc;
    expect(config?.issuer.href).toBe('https://login.example.edu/tenant/v2.0');
    expect(config?.claim).toBe('upn');
    expect(config?.buttonLabel).toBe('Sign in with your university account');
    expect(config?.redirectUrl).toBeUndefined();
    // A secret is taken verbatim.
    expect(config?.clientSecret).toBe(' s3cret ');
  });

  it('reads the claim without regard to case, and the other settings', () => {
    const config = loadConfig({ ...oidc, OIDC_CLAIM: 'onpremisessamaccountname', OIDC_BUTTON_LABEL: 'Uni login', OIDC_REDIRECT_URL: 'https://files.example.edu/auth/oidc/callback' }).oidc;
    expect(config?.claim).toBe('onPremisesSamAccountName');
    expect(config?.buttonLabel).toBe('Uni login');
    expect(config?.redirectUrl?.href).toBe('https://files.example.edu/auth/oidc/callback');
  });

  const error = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuse a plain-HTTP issuer except on loopback', () => {
    expect(error({ ...oidc, OIDC_ISSUER: 'http://login.example.edu/' })).toMatch(/^OIDC_ISSUER: expected an https:\/\//);
    expect(loadConfig({ ...oidc, OIDC_ISSUER: 'http://127.0.0.1:8080/' }).oidc?.issuer.host).toBe('127.0.0.1:8080');
    expect(loadConfig({ ...oidc, OIDC_ISSUER: 'http://[::1]:8080/' }).oidc?.issuer.hostname).toBe('[::1]');
    expect(error({ ...oidc, OIDC_ISSUER: 'https://user:pw@login.example.edu/' })).toMatch(/^OIDC_ISSUER/);
  });

  it('need the client id and secret with an issuer, and an issuer with either', () => {
    expect(error({ ...oidc, OIDC_CLIENT_ID: '' })).toMatch(/^OIDC_CLIENT_ID: required when OIDC_ISSUER is set/);
    expect(error({ ...oidc, OIDC_CLIENT_SECRET: '' })).toMatch(/^OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set/);
    expect(error({ OIDC_CLIENT_ID: 'portcullis' })).toMatch(/^OIDC_CLIENT_ID: is set but OIDC_ISSUER is not/);
    expect(error({ ...oidc, OIDC_CLAIM: 'email' })).toMatch(/^OIDC_CLAIM: expected one of upn, preferred_username, onPremisesSamAccountName/);
  });

  it('are required by AUTH_METHODS=…oidc, and kept but unused (with a warning) without it', () => {
    expect(error({ AUTH_METHODS: 'password,oidc' })).toMatch(/^OIDC_ISSUER: required when AUTH_METHODS includes oidc/);
    const config = loadConfig(oidc);
    expect(config.authMethods).toEqual(['password']);
    expect(startupWarnings(config)).toContain('OIDC_ISSUER is set but AUTH_METHODS (password) has no oidc: OpenID Connect sign-in is off');
    expect(startupWarnings(loadConfig({})).filter((w) => w.includes('OIDC'))).toEqual([]);
  });

  it('never echo the client secret in an error', () => {
    expect(error({ ...oidc, OIDC_CLIENT_SECRET: 'bad\u0001secret' })).not.toContain('bad');
  });
});
