import type { Config } from './types.js';

/** Settings that work but leave a hole; the server logs each at start-up, so an admin sees them in the first lines. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const production = config.env === 'production';
  const { trustProxy } = config.server;
  const noProxy = trustProxy === false || trustProxy === 0 || (Array.isArray(trustProxy) && trustProxy.length === 0);
  if (production && noProxy) {
    const consequence =
      config.session.cookieSecure === true ? 'the Secure session cookie is never set over plain HTTP, so sign-in fails' : 'passwords and cookies cross the network in clear';
    warnings.push(
      `NODE_ENV=production serves plain HTTP with no trusted proxy (TRUST_PROXY is not set): ${consequence}. ` +
        'Put a TLS-terminating proxy in front and set TRUST_PROXY to its hop count or address',
    );
  }
  if (trustProxy === true) {
    warnings.push('TRUST_PROXY=true believes X-Forwarded-For and X-Forwarded-Proto from anyone who can reach this port: set the hop count or the proxy address instead');
  }
  if (production && config.session.cookieSecure === false) {
    warnings.push('SESSION_COOKIE_SECURE=false in production: the session and key cookies are also sent over plain HTTP');
  }
  if (config.session.redisUrl !== undefined && config.session.secretGenerated) {
    // Production already requires the secret; a development pair of instances would each make up their own.
    warnings.push(
      'REDIS_URL is set but SESSION_SECRET is not: this instance signs its cookies with a secret of its own, so other instances sharing the Redis refuse its sessions. Give every instance the same SESSION_SECRET',
    );
  }
  const plainLdap = config.ldap.startTls ? [] : config.ldap.urls.filter((u) => u.startsWith('ldap:'));
  if (plainLdap.length > 0) {
    warnings.push(`LDAP_URLS ${plainLdap.join(', ')} without LDAP_STARTTLS: the service account's and users' passwords cross the network in clear text`);
  }
  if (config.oidc && !config.authMethods.includes('oidc')) {
    warnings.push(`OIDC_ISSUER is set but AUTH_METHODS (${config.authMethods.join(',')}) has no oidc: OpenID Connect sign-in is off`);
  }
  return warnings;
}
