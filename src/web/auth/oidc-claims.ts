// From the identity provider's claims to the AD account's sAMAccountName (issue 15): pure, so unit-tested.
import type { OidcClaim } from '../../config/index.js';
import { AppError, type AppErrorOptions, said } from '../../errors/index.js';

/** The identity provider vouched for someone Portcullis cannot map to an account of its domain. Never a 500. */
export class OidcAccountError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(403, message, 'oidc_account', options);
  }
}

/** What the account's name is checked against. */
export interface AccountDomain {
  /** The AD domain's DNS name (example.test), from LDAP_BASE_DN. */
  dnsDomain: string | undefined;
  /** The Kerberos realm (EXAMPLE.TEST); usually the DNS name in capitals, compared without case. */
  realm: string | undefined;
  /** The NetBIOS domain (EXAMPLE), for DOMAIN\name in preferred_username. */
  netbios: string | undefined;
}

/** Far beyond any real sAMAccountName (20 characters) or UPN, as for the password form. */
const MAX_LENGTH = 256;

const plainName = (name: string): boolean => name !== '' && name.length <= MAX_LENGTH && !/[\p{Cc}@\\/]/u.test(name);

/**
 * The sAMAccountName the configured claim names. `upn` (and an `@` form of preferred_username) maps only when its
 * realm part is the AD domain's: alice@other.example is another organisation's alice, never ours. Throws
 * OidcAccountError with a message for the user (and the admin reading the log) otherwise.
 */
export function accountFromClaims(claims: Record<string, unknown>, claim: OidcClaim, domain: AccountDomain): string {
  const raw = claims[claim];
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new OidcAccountError(...said('errors.sso.noClaim', { claim }));
  }
  const value = raw.trim();
  if (value.length > MAX_LENGTH || /\p{Cc}/u.test(value)) throw unusable(claim);

  const at = value.lastIndexOf('@');
  if (at !== -1) {
    if (claim === 'onPremisesSamAccountName') throw unusable(claim);
    const name = value.slice(0, at);
    const realm = value.slice(at + 1).toLowerCase();
    if (!plainName(name) || realm === '') throw unusable(claim);
    const ours = [domain.dnsDomain, domain.realm].filter((d): d is string => !!d).map((d) => d.toLowerCase());
    if (!ours.includes(realm)) {
      throw new OidcAccountError(...(ours[0] === undefined ? said('errors.sso.otherDomainUnset', { account: value }) : said('errors.sso.otherDomain', { account: value, domain: ours[0] })));
    }
    return name;
  }

  const backslash = value.indexOf('\\');
  if (backslash !== -1) {
    if (claim === 'onPremisesSamAccountName') throw unusable(claim);
    const prefix = value.slice(0, backslash);
    const name = value.slice(backslash + 1);
    if (!domain.netbios || prefix.toLowerCase() !== domain.netbios.toLowerCase()) {
      throw new OidcAccountError(...said('errors.sso.otherNetbios', { account: value, domain: domain.netbios ?? 'not configured' }));
    }
    if (!plainName(name)) throw unusable(claim);
    return name;
  }

  // A bare name: upn always carries a realm, so one without is not a UPN at all.
  if (claim === 'upn' || !plainName(value)) throw unusable(claim);
  return value;
}

function unusable(claim: OidcClaim): OidcAccountError {
  return new OidcAccountError(...said('errors.sso.unusableClaim', { claim }));
}
