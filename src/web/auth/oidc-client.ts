// The OpenID Connect relying party (issue 15 section 4): discovery, the authorization request and the code
// exchange, all by openid-client (a certified relying party). Routes live in oidc-routes.ts.
import * as client from 'openid-client';
import type { OidcConfig } from '../../config/index.js';
import { AppError, BadRequestError, said, UnavailableError } from '../../errors/index.js';
import type { Logger } from '../../log.js';

/** What one started sign-in keeps in the session until the provider sends the browser back. */
export interface PendingOidc {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The redirect_uri sent: the code exchange must name exactly the same one. */
  redirectUri: string;
  /** Where to go once signed in (already checked by safeRedirectTarget). */
  next: string;
  startedAt: number;
}

/** The provider did not answer (or answered 5xx): an outage page with Retry-After, never a 500. */
export class OidcUnavailableError extends UnavailableError {
  constructor(options: { cause?: unknown } = {}) {
    super(...said('errors.sso.unavailable', undefined, { ...options, code: 'oidc_unavailable' }));
  }
}

/** The provider sent an error instead of a code (access_denied: the user cancelled, or may not use this client). */
export class OidcRefusedError extends AppError {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
  ) {
    super(401, `The university sign-in service did not sign you in (${error}).`, 'oidc_refused', { messageKey: 'errors.sso.refused', messageParams: { error } });
  }
}

/** A callback that fails validation: no usable code, a replay, a token that does not check out. */
export class OidcResponseError extends BadRequestError {
  constructor(cause: unknown) {
    super(...said('errors.sso.invalidResponse', undefined, { cause, code: 'oidc_invalid_response' }));
  }
}

/** Network calls to the provider give up after this long: a hung provider must not hold sign-ins for 30 s (the library's default). */
const TIMEOUT_SECONDS = 10;
/** Discovery metadata is read again after this long, so a provider's changed endpoints are picked up without a restart. */
const REDISCOVER_MS = 60 * 60_000;
const SCOPE = 'openid profile';

export class OidcRelyingParty {
  private discovered: { at: number; configuration: Promise<client.Configuration> } | undefined;

  constructor(
    private readonly settings: OidcConfig,
    private readonly logger: Logger,
  ) {}

  /** The URL to send the browser to, and what to keep for the callback: PKCE (S256), state and nonce, all fresh. */
  async start(redirectUri: string, next: string): Promise<{ url: URL; pending: PendingOidc }> {
    const configuration = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingOidc = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      redirectUri,
      next,
      startedAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Exchanges the code (with the PKCE verifier and client secret) and checks the ID token's signature, issuer,
   * audience, expiry, nonce. The claims are the ID token's, completed from the userinfo endpoint when a claim is
   * only there (providers differ: Entra puts upn in the ID token, oidc-provider and Keycloak may not).
   */
  async finish(callbackUrl: URL, pending: PendingOidc): Promise<Record<string, unknown>> {
    const configuration = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      if (idClaims[this.settings.claim] !== undefined || !configuration.serverMetadata().userinfo_endpoint) return { ...idClaims };
      const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      // The ID token's values win: they are signed, the userinfo answer only came over TLS.
      return { ...userInfo, ...idClaims };
    } catch (err) {
      throw this.classify(err);
    }
  }

  /** Discovery on first use (and hourly), not at start-up: a provider down at boot must not stop the password form. */
  private configuration(): Promise<client.Configuration> {
    const now = Date.now();
    if (this.discovered && now - this.discovered.at < REDISCOVER_MS) return this.discovered.configuration;
    const fresh = this.discover();
    this.discovered = { at: now, configuration: fresh };
    return fresh.catch((err: unknown) => {
      // A failed discovery is not kept: the next sign-in tries again.
      if (this.discovered?.configuration === fresh) this.discovered = undefined;
      throw err;
    });
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    try {
      const configuration = await client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(clientSecret), {
        // Plain HTTP only for a loopback issuer: src/config/oidc.ts refuses any other.
        execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: TIMEOUT_SECONDS,
      });
      this.logger.info('OpenID Connect provider discovered', { issuer: issuer.href });
      return configuration;
    } catch (err) {
      const error = this.classify(err);
      // Discovery answered but made no sense (wrong issuer URL, not an OpenID provider): the admin must fix that,
      // and until then sign-ins cannot start, which is an outage for users, not a bad request of theirs.
      if (!(error instanceof OidcUnavailableError)) this.logger.error('OpenID Connect discovery failed: check OIDC_ISSUER', { issuer: issuer.href, err: describe(err) });
      throw error instanceof OidcUnavailableError ? error : new OidcUnavailableError({ cause: err });
    }
  }

  private classify(err: unknown): AppError {
    if (err instanceof AppError) return err;
    if (err instanceof client.AuthorizationResponseError) return new OidcRefusedError(err.error, err.error_description);
    if (isUnreachable(err)) return new OidcUnavailableError({ cause: err });
    this.logger.warn('OpenID Connect sign-in response refused', { err: describe(err) });
    return new OidcResponseError(err);
  }
}

/** fetch's own failures (refused, reset, DNS), its timeout, and a 5xx from the provider. */
function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Response && cause.status >= 500) return true;
  if (err instanceof client.ResponseBodyError && err.status >= 500) return true;
  return false;
}

/** An error for the log: its name, message and code, never a response body (it could hold tokens). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.name}: ${err.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}
