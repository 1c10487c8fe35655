/** Every failure of src/krb is a KrbError; KDC refusals are KdcError subclasses named after what went wrong. */
export class KrbError extends Error {
  override name = 'KrbError';
}

/** Bad key, altered message, unsupported etype. */
export class KrbCryptoError extends KrbError {
  override name = 'KrbCryptoError';
}

/** A message that does not parse as what the protocol says comes next. */
export class KrbProtocolError extends KrbError {
  override name = 'KrbProtocolError';
}

/** No KDC in the list answered. */
export class KdcUnreachableError extends KrbError {
  override name = 'KdcUnreachableError';
}

/** KRB-ERROR error codes (RFC 4120 section 7.5.9) that callers tell apart. */
export const KrbErrorCode = {
  KDC_ERR_C_PRINCIPAL_UNKNOWN: 6,
  KDC_ERR_S_PRINCIPAL_UNKNOWN: 7,
  KDC_ERR_NULL_KEY: 9,
  KDC_ERR_CANNOT_POSTDATE: 10,
  KDC_ERR_NEVER_VALID: 11,
  KDC_ERR_POLICY: 12,
  KDC_ERR_BADOPTION: 13,
  KDC_ERR_ETYPE_NOSUPP: 14,
  KDC_ERR_CLIENT_REVOKED: 18,
  KDC_ERR_SERVICE_REVOKED: 19,
  KDC_ERR_TGT_REVOKED: 20,
  KDC_ERR_KEY_EXPIRED: 23,
  KDC_ERR_PREAUTH_FAILED: 24,
  KDC_ERR_PREAUTH_REQUIRED: 25,
  KRB_AP_ERR_TKT_EXPIRED: 32,
  KRB_AP_ERR_SKEW: 37,
  KRB_AP_ERR_MODIFIED: 41,
  KRB_ERR_RESPONSE_TOO_BIG: 52,
  KRB_ERR_GENERIC: 60,
  KDC_ERR_WRONG_REALM: 68,
} as const;

export interface KdcErrorDetails {
  code: number;
  /** The KDC's own time when it answered (KRB-ERROR stime), for clock-skew correction. */
  serverTime: Date;
  eText?: string;
  eData?: Buffer;
  /** [MS-KILE] 2.2.1 KERB-EXT-ERROR NTSTATUS from e-data, when the KDC sent one (AD does for revoked accounts). */
  ntStatus?: number;
}

/** The KDC answered with KRB-ERROR. */
export class KdcError extends KrbError {
  override name = 'KdcError';
  readonly code: number;
  readonly serverTime: Date;
  readonly eText: string | undefined;
  readonly eData: Buffer | undefined;
  readonly ntStatus: number | undefined;
  constructor(message: string, details: KdcErrorDetails) {
    super(message);
    this.code = details.code;
    this.serverTime = details.serverTime;
    this.eText = details.eText;
    this.eData = details.eData;
    this.ntStatus = details.ntStatus;
  }
}

/** The user (client principal) does not exist in the realm. */
export class PrincipalUnknownError extends KdcError {
  override name = 'PrincipalUnknownError';
}
/** The service principal (e.g. cifs/host) is unknown: usually an IP or an alias where the FQDN is needed. */
export class ServicePrincipalUnknownError extends KdcError {
  override name = 'ServicePrincipalUnknownError';
}
/** Wrong password (pre-authentication failed). */
export class PreauthFailedError extends KdcError {
  override name = 'PreauthFailedError';
}
/** The account is disabled, locked out or expired (client revoked). */
export class ClientRevokedError extends KdcError {
  override name = 'ClientRevokedError';
}
/** The password has expired or must be changed before first use. */
export class PasswordExpiredError extends KdcError {
  override name = 'PasswordExpiredError';
}
/** The clocks differ by more than the realm allows, even after adopting the KDC's time. */
export class ClockSkewError extends KdcError {
  override name = 'ClockSkewError';
}
/** The KDC and we share no encryption type (e.g. the account only has RC4 keys). */
export class EtypeNotSupportedError extends KdcError {
  override name = 'EtypeNotSupportedError';
}
/** The KDC's policy refused the request (e.g. a delegation not allowed, logon hours). */
export class KdcPolicyError extends KdcError {
  override name = 'KdcPolicyError';
}

const NTSTATUS = {
  ACCOUNT_DISABLED: 0xc0000072,
  ACCOUNT_EXPIRED: 0xc0000193,
  ACCOUNT_LOCKED_OUT: 0xc0000234,
  PASSWORD_EXPIRED: 0xc0000071,
  PASSWORD_MUST_CHANGE: 0xc0000224,
} as const;

function revokedReason(ntStatus: number | undefined): string {
  switch (ntStatus) {
    case NTSTATUS.ACCOUNT_DISABLED:
      return 'the account is disabled';
    case NTSTATUS.ACCOUNT_EXPIRED:
      return 'the account has expired';
    case NTSTATUS.ACCOUNT_LOCKED_OUT:
      return 'the account is locked out';
    default:
      return 'the account is disabled, locked out or expired';
  }
}

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(KrbErrorCode).map(([k, v]) => [v, k]));

/** The typed error for a KRB-ERROR, with a message that says what to do about it. */
export function kdcError(details: KdcErrorDetails, context: { client?: string; service?: string }): KdcError {
  const who = context.client ?? 'the client';
  const what = context.service ?? 'the service';
  const suffix = ` (${CODE_NAMES[details.code] ?? `KRB-ERROR ${details.code}`}${details.eText ? `: ${details.eText}` : ''})`;
  switch (details.code) {
    case KrbErrorCode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
      return new PrincipalUnknownError(`the KDC does not know ${who}${suffix}`, details);
    case KrbErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
      return new ServicePrincipalUnknownError(`the KDC has no service principal ${what}; use the server's FQDN, not an address or alias${suffix}`, details);
    case KrbErrorCode.KDC_ERR_PREAUTH_FAILED:
    case KrbErrorCode.KRB_AP_ERR_MODIFIED:
      return new PreauthFailedError(`pre-authentication failed for ${who}: wrong password${suffix}`, details);
    case KrbErrorCode.KDC_ERR_CLIENT_REVOKED:
      if (details.ntStatus === NTSTATUS.PASSWORD_EXPIRED || details.ntStatus === NTSTATUS.PASSWORD_MUST_CHANGE) {
        return new PasswordExpiredError(`the password of ${who} has expired or must be changed${suffix}`, details);
      }
      return new ClientRevokedError(`credentials of ${who} are revoked: ${revokedReason(details.ntStatus)}${suffix}`, details);
    case KrbErrorCode.KDC_ERR_KEY_EXPIRED:
      return new PasswordExpiredError(`the password of ${who} has expired or must be changed${suffix}`, details);
    case KrbErrorCode.KRB_AP_ERR_SKEW:
      return new ClockSkewError(`our clock and the KDC's differ by more than the realm allows (KDC time ${details.serverTime.toISOString()})${suffix}`, details);
    case KrbErrorCode.KDC_ERR_ETYPE_NOSUPP:
      return new EtypeNotSupportedError(`the KDC offers no AES key for ${who} (RC4 is not supported)${suffix}`, details);
    case KrbErrorCode.KDC_ERR_POLICY:
    case KrbErrorCode.KDC_ERR_BADOPTION:
      return new KdcPolicyError(`the KDC's policy refused the request for ${what}${suffix}`, details);
    default:
      return new KdcError(`the KDC refused the request${suffix}`, details);
  }
}

/**
 * Constrained delegation (S4U) was refused. The KDC says only KDC_ERR_BADOPTION for both cases below (Samba 4.17's
 * Heimdal KDC, like Windows); which one it is follows from the evidence ticket we sent: see src/krb/s4u.ts.
 */
export class DelegationRefusedError extends KdcPolicyError {
  override name = 'DelegationRefusedError';
}
/**
 * The user's tickets cannot be delegated: the account is "sensitive and cannot be delegated" (or in Protected
 * Users), so S4U2Self gave a non-forwardable evidence ticket and S4U2Proxy was refused.
 */
export class UserNotDelegatableError extends DelegationRefusedError {
  override name = 'UserNotDelegatableError';
}
/** The service account may not delegate to this target: it is not in its msDS-AllowedToDelegateTo. */
export class DelegationTargetNotAllowedError extends DelegationRefusedError {
  override name = 'DelegationTargetNotAllowedError';
}
