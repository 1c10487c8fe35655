import net from 'node:net';
import { ConfigError } from './errors.js';
import { parseText, secret, setting } from './fields.js';

/** The claims an AD account can be found by (issue 15): Entra ID's `upn`, Keycloak's and Shibboleth's `preferred_username`, Entra's `onPremisesSamAccountName`. */
export const OIDC_CLAIMS = ['upn', 'preferred_username', 'onPremisesSamAccountName'] as const;
export type OidcClaim = (typeof OIDC_CLAIMS)[number];

export const DEFAULT_OIDC_BUTTON_LABEL = 'Sign in with your university account';

export interface OidcConfig {
  /** The identity provider's issuer URL; its /.well-known/openid-configuration is read on first use. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Unset: <this site's origin>/auth/oidc/callback, from the request (behind a proxy, as TRUST_PROXY allows). */
  redirectUrl: URL | undefined;
  claim: OidcClaim;
  buttonLabel: string;
}

const isLoopback = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  return bare === '::1';
};

/**
 * https:// only, except on loopback (a provider on the same host, or the tests'): the issuer's discovery document
 * says where tokens come from, so reading it over plain HTTP would let anyone on the path issue identities.
 */
export const parseIssuer = (v: string): URL | undefined => {
  try {
    const url = new URL(v);
    if (url.username || url.password || url.search || url.hash) return undefined;
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
    return undefined;
  } catch {
    return undefined;
  }
};

const parseRedirectUrl = (v: string): URL | undefined => {
  try {
    const url = new URL(v);
    if (url.username || url.password || url.hash) return undefined;
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
};

/** Case-insensitive, since a mis-cased claim name in a compose file is an obvious intent. */
const parseClaim = (v: string): OidcClaim | undefined => OIDC_CLAIMS.find((c) => c.toLowerCase() === v.toLowerCase());

/** The OpenID Connect settings, spread into the env schema. */
export const oidcSettings = {
  OIDC_ISSUER: setting('an https:// URL (http:// only on loopback) without credentials, query or fragment', parseIssuer),
  OIDC_CLIENT_ID: setting('a client id without control characters', parseText(1024)),
  OIDC_CLIENT_SECRET: secret('a client secret without control characters', parseText(4096)),
  OIDC_REDIRECT_URL: setting('an http:// or https:// URL without credentials or fragment', parseRedirectUrl),
  OIDC_CLAIM: setting(`one of ${OIDC_CLAIMS.join(', ')}`, parseClaim, 'upn'),
  OIDC_BUTTON_LABEL: setting('a text of at most 80 characters without control characters', parseText(80), DEFAULT_OIDC_BUTTON_LABEL),
};

interface OidcEnv {
  OIDC_ISSUER?: URL | undefined;
  OIDC_CLIENT_ID?: string | undefined;
  OIDC_CLIENT_SECRET?: string | undefined;
  OIDC_REDIRECT_URL?: URL | undefined;
  OIDC_CLAIM: OidcClaim;
  OIDC_BUTTON_LABEL: string;
}

/**
 * The provider's settings, validated whenever they are given; AUTH_METHODS decides whether the door is open (with
 * oidc it needs OIDC_ISSUER; without it, the settings are kept but unused and the server warns at start-up).
 */
export function oidcConfig(e: OidcEnv, authMethods: readonly string[]): OidcConfig | undefined {
  if (!e.OIDC_ISSUER) {
    if (authMethods.includes('oidc')) throw new ConfigError('OIDC_ISSUER', 'required when AUTH_METHODS includes oidc (the identity provider\'s issuer URL)');
    const stray = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'] as const).find((name) => e[name] !== undefined);
    if (stray) throw new ConfigError(stray, 'is set but OIDC_ISSUER is not; set OIDC_ISSUER (and oidc in AUTH_METHODS) to turn on OpenID Connect sign-in');
    return undefined;
  }
  if (!e.OIDC_CLIENT_ID) throw new ConfigError('OIDC_CLIENT_ID', 'required when OIDC_ISSUER is set (the client id the identity provider gave Portcullis)');
  if (!e.OIDC_CLIENT_SECRET) throw new ConfigError('OIDC_CLIENT_SECRET', 'required when OIDC_ISSUER is set (the client secret the identity provider gave Portcullis)');
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    redirectUrl: e.OIDC_REDIRECT_URL,
    claim: e.OIDC_CLAIM,
    buttonLabel: e.OIDC_BUTTON_LABEL,
  };
}
