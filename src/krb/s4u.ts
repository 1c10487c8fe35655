import { createHash, createHmac } from 'node:crypto';
import { fields, der, int, octets, str } from './asn1.js';
import type { Credentials, KerberosClient } from './client.js';
import type { Key } from './crypto/etypes.js';
import {
  ClientRevokedError,
  DelegationTargetNotAllowedError,
  KdcError,
  KrbErrorCode,
  KrbProtocolError,
  UserNotDelegatableError,
} from './errors.js';
import { KdcOption, NameType, PaType, type PaData, type PrincipalName, type Ticket, TicketFlag, principalNode, principalToString } from './messages.js';
import { servicePrincipal } from './client.js';

/**
 * Kerberos constrained delegation ([MS-SFU]): the service, holding only its own key, gets a ticket to a file server
 * in a user's name. S4U2Self gives an evidence ticket (user → the service itself); S4U2Proxy trades evidence for a
 * ticket to a target named in the service account's msDS-AllowedToDelegateTo. The evidence is either that S4U2Self
 * ticket (protocol transition: the user signed in some other way, e.g. OpenID Connect) or a ticket the user's own
 * client sent us (HTTP Negotiate), both encrypted to the service's key.
 */

/** [MS-SFU] 2.2.1: the checksum of PA-FOR-USER is KERB_CHECKSUM_HMAC_MD5 under the TGT session key, whatever its etype. */
const KERB_CHECKSUM_HMAC_MD5 = -138;
/** RFC 4757 / [MS-SFU]: key usage 17 (KERB_NON_KERB_CKSUM_SALT). */
const USAGE_PA_FOR_USER = 17;

/** RFC 4757's HMAC-MD5 checksum: Ksign = HMAC-MD5(key, "signaturekey\0"), then HMAC-MD5(Ksign, MD5(usage ‖ data)). */
export function hmacMd5Checksum(key: Buffer, usage: number, data: Buffer): Buffer {
  const ksign = createHmac('md5', key).update(Buffer.from('signaturekey\0', 'latin1')).digest();
  const u = Buffer.alloc(4);
  u.writeUInt32LE(usage >>> 0);
  const tmp = createHash('md5').update(u).update(data).digest();
  return createHmac('md5', ksign).update(tmp).digest();
}

/** PA-FOR-USER (129): whom S4U2Self is for, with a checksum that proves the TGT's session key made it. */
export function paForUser(user: PrincipalName, realm: string, sessionKey: Key): PaData {
  const authPackage = 'Kerberos';
  const nameType = Buffer.alloc(4);
  nameType.writeInt32LE(user.type);
  const data = Buffer.concat([nameType, ...user.parts.map((p) => Buffer.from(p, 'utf8')), Buffer.from(realm, 'utf8'), Buffer.from(authPackage, 'utf8')]);
  const cksum = hmacMd5Checksum(sessionKey.value, USAGE_PA_FOR_USER, data);
  const value = der(
    fields([0, principalNode(user)], [1, str(realm)], [2, fields([0, int(KERB_CHECKSUM_HMAC_MD5)], [1, octets(cksum)])], [3, str(authPackage)]),
  );
  return { type: PaType.FOR_USER, value };
}

export const isForwardable = (flags: number): boolean => (flags & TicketFlag.FORWARDABLE) !== 0;

export interface S4uOptions {
  client: KerberosClient;
  /** The service account ("svc-portcullis" or "svc-portcullis@REALM"). */
  principal: string;
  /** Its long-term keys (from the keytab, or derived from its password with KerberosClient.keysFromPassword). */
  keys: () => Promise<readonly Key[]>;
  /** Tickets are used until this long before they expire (default 5 minutes). */
  marginMs?: number;
}

/**
 * The service's side of constrained delegation. Keeps its own TGT (from its key, renewed near expiry); the
 * per-user tickets are the caller's to cache (per web session).
 */
export class ConstrainedDelegation {
  private tgt: Promise<Credentials> | undefined;
  private readonly marginMs: number;

  constructor(private readonly options: S4uOptions) {
    this.marginMs = options.marginMs ?? 5 * 60_000;
  }

  get realm(): string {
    return this.options.client.realm;
  }

  /** Whether `c` is still usable for a while (by the KDC's clock). */
  fresh(c: Credentials): boolean {
    return c.endtime.getTime() - this.marginMs > this.options.client.kdcNow().getTime();
  }

  /** The service's own TGT: forwardable, or its S4U2Self tickets would not be either. */
  async serviceTgt(): Promise<Credentials> {
    const hit = this.tgt;
    if (hit) {
      try {
        const c = await hit;
        if (this.fresh(c)) return c;
      } catch {
        // a failed attempt is not kept: ask again
      }
      if (this.tgt !== hit) return this.serviceTgt();
    }
    const p = this.options.keys().then((keys) => this.options.client.getTgtWithKeys(this.options.principal, keys));
    this.tgt = p;
    p.catch(() => {
      if (this.tgt === p) this.tgt = undefined;
    });
    return p;
  }

  /** S4U2Self: a ticket from `user` (sAMAccountName) to this service, made by the KDC without the user. */
  async s4u2self(user: string): Promise<Credentials> {
    const tgt = await this.serviceTgt();
    const who: PrincipalName = { type: NameType.PRINCIPAL, parts: [user] };
    try {
      return await this.options.client.tgsExchange(tgt, {
        // To the service itself: the KDC encrypts the evidence ticket with our key.
        sname: tgt.client,
        service: principalToString(tgt.client, tgt.crealm),
        client: `${user}@${this.realm}`,
        padata: [paForUser(who, this.realm, tgt.sessionKey)],
      });
    } catch (err) {
      // Samba 4.17 answers S4U2Self for a disabled (or locked, expired) account with KDC_ERR_POLICY and no NTSTATUS,
      // measured with the fixture's dave; Windows says KDC_ERR_CLIENT_REVOKED. Either way: the user's account.
      if (err instanceof KdcError && (err.code === KrbErrorCode.KDC_ERR_POLICY || err.code === KrbErrorCode.KDC_ERR_CLIENT_REVOKED) && !(err instanceof ClientRevokedError)) {
        const details = { code: err.code, serverTime: err.serverTime, ...(err.eText ? { eText: err.eText } : {}), ...(err.ntStatus !== undefined ? { ntStatus: err.ntStatus } : {}) };
        throw new ClientRevokedError(`the KDC will not act for ${user}@${this.realm}: the account is disabled, locked or expired (${err.message})`, details);
      }
      throw err;
    }
  }

  /**
   * S4U2Proxy: the evidence ticket (user → this service) traded for a ticket from the user to `spn`. The KDC
   * refuses with KDC_ERR_BADOPTION both when the evidence is not forwardable (the user cannot be delegated) and
   * when `spn` is not in msDS-AllowedToDelegateTo: we know which from the evidence's flags.
   */
  async s4u2proxy(evidence: { ticket: Ticket; flags: number; user: string }, spn: string): Promise<Credentials> {
    const tgt = await this.serviceTgt();
    const client = `${evidence.user}@${this.realm}`;
    try {
      const creds = await this.options.client.tgsExchange(tgt, {
        sname: servicePrincipal(spn),
        service: spn,
        client,
        options: KdcOption.CNAME_IN_ADDL_TKT,
        additionalTickets: [evidence.ticket],
      });
      if (creds.client.parts.join('/').toLowerCase() !== evidence.user.toLowerCase()) {
        throw new KrbProtocolError(`S4U2Proxy gave a ticket for ${principalToString(creds.client)}, not ${evidence.user}`);
      }
      return creds;
    } catch (err) {
      if (!(err instanceof KdcError) || (err.code !== KrbErrorCode.KDC_ERR_BADOPTION && err.code !== KrbErrorCode.KDC_ERR_POLICY)) throw err;
      const details = { code: err.code, serverTime: err.serverTime, ...(err.eText ? { eText: err.eText } : {}), ...(err.ntStatus !== undefined ? { ntStatus: err.ntStatus } : {}) };
      if (!isForwardable(evidence.flags)) {
        // Non-forwardable evidence: the user is "sensitive and cannot be delegated" (or, if it happens for every user,
        // the service account is not trusted for protocol transition: TRUSTED_TO_AUTH_FOR_DELEGATION).
        throw new UserNotDelegatableError(`${client} cannot be delegated: the KDC gave no forwardable ticket for the account (marked sensitive?) (${err.message})`, details);
      }
      throw new DelegationTargetNotAllowedError(`the service ${this.options.principal} may not delegate to ${spn}: it is not in the account's msDS-AllowedToDelegateTo (${err.message})`, details);
    }
  }

  /** S4U2Self (unless evidence is given) then S4U2Proxy: a ticket from `user` to `spn`. */
  async ticketFor(user: string, spn: string, evidence?: { ticket: Ticket; flags: number }): Promise<Credentials> {
    const ev = evidence ?? (await this.s4u2self(user));
    return this.s4u2proxy({ ticket: ev.ticket, flags: ev.flags, user }, spn);
  }
}
