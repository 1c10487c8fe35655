import { randomInt } from 'node:crypto';
import {
  EncType,
  type Key,
  KeyUsage,
  checksum,
  decrypt,
  encrypt,
  isSupportedEtype,
  iterationsFrom,
  profile,
  stringToKeyAsync,
} from './crypto/etypes.js';
import { KdcError, KrbCryptoError, KrbErrorCode, KrbProtocolError, kdcError } from './errors.js';
import {
  type EncKdcRepPart,
  type KdcRep,
  type KrbErrorMessage,
  type PaData,
  type PrincipalName,
  type Ticket,
  KdcOption,
  MsgType,
  NameType,
  PaType,
  TicketFlag,
  authenticatorDer,
  decodeEncKdcRepPart,
  decodeErrorData,
  decodeEtypeInfo2,
  decodeKdcReply,
  encodeApReq,
  encodeKdcReq,
  encryptedDataDer,
  paEncTsEncDer,
  paPacRequest,
  principalToString,
  reqBodyDer,
} from './messages.js';
import { type KdcAddress, exchange } from './transport.js';

export interface KerberosClientOptions {
  /** The realm, upper case (EXAMPLE.TEST). */
  realm: string;
  /**
   * KDCs tried in order; the first that answers is used. A function is asked at every exchange, so a list kept fresh
   * in the background (KdcDiscovery's current()) applies to the next request without waiting for it.
   */
  kdcs: readonly KdcAddress[] | (() => readonly KdcAddress[]);
  /** Per-KDC timeout (default 10 s). */
  timeoutMs?: number;
  /** Our clock; tests shift it to simulate skew. */
  now?: () => Date;
  /** Called when a KDC's time was adopted after KRB_AP_ERR_SKEW, with the offset now applied (ms); the caller logs it. */
  onClockSkew?: (offsetMs: number, kdcTime: Date) => void;
  /** RC4-HMAC is refused unless allowed; even then it is not implemented, and says so. */
  allowRc4?: boolean;
  /** Requested ticket lifetime (default 10 h; the KDC may give less). */
  lifetimeMs?: number;
}

/** A ticket and what we need to use it. */
export interface Credentials {
  client: PrincipalName;
  crealm: string;
  ticket: Ticket;
  sessionKey: Key;
  flags: number;
  authtime: Date;
  endtime: Date;
  renewTill?: Date;
}

/** What a TGS exchange asks for beyond the usual: see tgsExchange. */
export interface TgsRequest {
  sname: PrincipalName;
  /** For error messages: the service as the caller names it. */
  service: string;
  /** For error messages: whom the ticket is for, when not the TGT's client (S4U). */
  client?: string;
  options?: number;
  padata?: PaData[];
  additionalTickets?: Ticket[];
}

const ETYPES = [EncType.AES256_CTS_HMAC_SHA1_96, EncType.AES128_CTS_HMAC_SHA1_96];
/**
 * Users whose ETYPE-INFO2 (etype, salt, iteration count: public, what any AS-REQ is told) is remembered, so their
 * next TGT takes one AS exchange instead of two. A ~100-byte entry each: 50,000 is a few MB at most.
 */
const ETYPE_INFO_CACHE_SIZE = 50_000;
/** The KDC refusing the key we sent, as opposed to the account or the request. */
const KEY_REFUSALS: ReadonlySet<number> = new Set([KrbErrorCode.KDC_ERR_PREAUTH_FAILED, KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED, KrbErrorCode.KDC_ERR_ETYPE_NOSUPP]);
const DEFAULT_LIFETIME = 10 * 3600_000;
/** What we ask; the KDC grants at most its own maximum (Samba's default: 7 days). */
const RENEW_LIFETIME = 7 * 86_400_000;

export function servicePrincipal(spn: string): PrincipalName {
  const parts = spn.split('/');
  if (parts.length < 2 || parts.some((p) => p.length === 0)) throw new RangeError(`bad service principal ${spn}`);
  return { type: NameType.SRV_INST, parts };
}

/**
 * A Kerberos V5 client: AS exchange with PA-ENC-TIMESTAMP pre-authentication, TGS
 * exchange, over TCP with KDC failover. Keeps a clock offset learnt from the KDC.
 */
export class KerberosClient {
  readonly realm: string;
  private readonly options: KerberosClientOptions;
  private offsetMs = 0;
  /** Lower-cased user name → the PA-ETYPE-INFO2 the KDC announced for it, kept after a TGT was obtained with it. */
  private readonly etypeInfo = new Map<string, PaData>();

  constructor(options: KerberosClientOptions) {
    if (options.allowRc4) profile(EncType.RC4_HMAC); // throws: say clearly that it is not implemented
    this.options = options;
    this.realm = options.realm.toUpperCase();
  }

  /** The offset added to our clock since a KDC reported skew (0 until then). */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  private now(): Date {
    return new Date((this.options.now?.() ?? new Date()).getTime() + this.offsetMs);
  }

  /** Sends, and on KRB_AP_ERR_SKEW adopts the KDC's time and sends once more, as MIT's kdc_timesync does. */
  private async send(build: () => Buffer, expect: 11 | 13): Promise<KdcRep | KrbErrorMessage> {
    for (let attempt = 0; ; attempt++) {
      const kdcs = typeof this.options.kdcs === 'function' ? this.options.kdcs() : this.options.kdcs;
      const reply = decodeKdcReply(await exchange(kdcs, build(), this.options.timeoutMs ?? 10_000), expect);
      if (reply.kind === 'rep') return reply.rep;
      if (reply.error.code === KrbErrorCode.KRB_AP_ERR_SKEW && attempt === 0) {
        const kdcTime = new Date(reply.error.stime.getTime() + Math.floor(reply.error.susec / 1000));
        this.offsetMs += kdcTime.getTime() - this.now().getTime();
        this.options.onClockSkew?.(this.offsetMs, kdcTime);
        continue;
      }
      return reply.error;
    }
  }

  private fail(error: KrbErrorMessage, context: { client?: string; service?: string }): KdcError {
    const details: Parameters<typeof kdcError>[0] = { code: error.code, serverTime: error.stime };
    if (error.eText !== undefined) details.eText = error.eText;
    if (error.eData !== undefined) {
      details.eData = error.eData;
      const { ntStatus } = decodeErrorData(error.eData);
      if (ntStatus !== undefined) details.ntStatus = ntStatus;
    }
    return kdcError(details, context);
  }

  /**
   * A TGT for `username` (sAMAccountName or user@REALM), from the password. `accountName`: the name is the account's
   * sAMAccountName as the directory spells it (the sign-in found it there), so for a user not seen before the realm's
   * default salt (REALM + that name, AES-256, 4,096 iterations: what AD gives every account whose password was set
   * under its present name) is tried at once, sparing the round trip that asks for it.
   */
  getTgt(username: string, password: string, options: { accountName?: boolean } = {}): Promise<Credentials> {
    const user = this.userPart(username);
    return this.asExchange(user, (padata) => this.keyFromPadata(padata, password, user), options.accountName === true);
  }

  /** Whether the next AS exchange for `username` can skip the round trip that learns its salt (tests, benches). */
  knowsSaltOf(username: string): boolean {
    return this.etypeInfo.has(this.userPart(username).toLowerCase());
  }

  /**
   * A TGT for `username` from its long-term keys (a keytab's entries, or keys derived once from a service
   * password): the service's own TGT, for S4U. The KDC's ETYPE-INFO2 picks which key, in its order of preference.
   */
  getTgtWithKeys(username: string, keys: readonly Key[]): Promise<Credentials> {
    const user = this.userPart(username);
    return this.asExchange(user, (padata) => {
      const info = padata.find((p) => p.type === PaType.ETYPE_INFO2);
      const offered = info ? decodeEtypeInfo2(info.value).map((e) => e.etype) : [];
      const key = offered.length > 0 ? offered.map((etype) => keys.find((k) => k.etype === etype)).find((k) => k !== undefined) : keys.find((k) => isSupportedEtype(k.etype));
      if (!key) {
        throw new KrbCryptoError(`no key of ${user}@${this.realm} matches the etypes the KDC offers (${offered.join(', ') || 'none'}); we hold ${keys.map((k) => k.etype).join(', ') || 'none'}`);
      }
      return key;
    });
  }

  /**
   * The AES keys of `username` from its password, with the salt and iteration count the KDC announces (one AS-REQ
   * without pre-authentication): a service configured with its password instead of a keytab gets the same keys.
   */
  async keysFromPassword(username: string, password: string): Promise<Key[]> {
    const user = this.userPart(username);
    const reply = await this.send(
      () =>
        encodeKdcReq(
          MsgType.AS_REQ,
          [paPacRequest(true)],
          reqBodyDer({
            options: KdcOption.FORWARDABLE | KdcOption.CANONICALIZE,
            cname: { type: NameType.PRINCIPAL, parts: [user] },
            realm: this.realm,
            sname: { type: NameType.SRV_INST, parts: ['krbtgt', this.realm] },
            till: new Date(this.now().getTime() + 3600_000),
            nonce: randomInt(1, 0x7fffffff),
            etypes: ETYPES,
          }),
        ),
      MsgType.AS_REP,
    );
    let padata: PaData[];
    if ('ticket' in reply) padata = reply.padata;
    else if (reply.code === KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED) padata = reply.eData ? decodeErrorData(reply.eData).padata : [];
    else throw this.fail(reply, { client: `${user}@${this.realm}` });
    const info = padata.find((p) => p.type === PaType.ETYPE_INFO2);
    const entries = (info ? decodeEtypeInfo2(info.value) : []).filter((e) => isSupportedEtype(e.etype));
    if (entries.length === 0) return [await this.keyFromPadata([], password, user)];
    return Promise.all(entries.map((e) => stringToKeyAsync(e.etype, password, e.salt ?? `${this.realm}${user}`, iterationsFrom(e.s2kparams))));
  }

  private userPart(username: string): string {
    const at = username.lastIndexOf('@');
    return at >= 0 ? username.slice(0, at) : username;
  }

  private async asExchange(user: string, chooseKey: (padata: PaData[]) => Key | Promise<Key>, guessDefault = false): Promise<Credentials> {
    const cname: PrincipalName = { type: NameType.PRINCIPAL, parts: [user] };
    const who = `${user}@${this.realm}`;
    const sname: PrincipalName = { type: NameType.SRV_INST, parts: ['krbtgt', this.realm] };
    let nonce = 0;
    const body = (): Buffer => {
      nonce = randomInt(1, 0x7fffffff);
      return reqBodyDer({
        // Renewable for as long as the KDC allows (Samba: 7 days): a session keeps its Kerberos without the password.
        options: KdcOption.FORWARDABLE | KdcOption.RENEWABLE | KdcOption.RENEWABLE_OK | KdcOption.CANONICALIZE,
        cname,
        realm: this.realm,
        sname,
        till: new Date(this.now().getTime() + (this.options.lifetimeMs ?? DEFAULT_LIFETIME)),
        rtime: new Date(this.now().getTime() + RENEW_LIFETIME),
        nonce,
        etypes: ETYPES,
      });
    };
    const withPreauth = (key: Key): Promise<KdcRep | KrbErrorMessage> =>
      this.send(() => {
        const bodyDer = body();
        const ts = encryptedDataDer({ etype: key.etype, cipher: encrypt(key, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, paEncTsEncDer(this.now())) });
        return encodeKdcReq(MsgType.AS_REQ, [{ type: PaType.ENC_TIMESTAMP, value: ts }, paPacRequest(true)], bodyDer);
      }, MsgType.AS_REP);

    // A user seen before: pre-authenticate at once with the salt the KDC gave last time (as MIT and Windows clients
    // do from their caches), or with the realm's default salt when asked to; either spares the first round trip.
    const cacheKey = user.toLowerCase();
    const known = this.etypeInfo.get(cacheKey);
    let refused: { key: Key; error: KrbErrorMessage } | undefined;
    if (known || guessDefault) {
      const key = await chooseKey(known ? [known] : []);
      const reply = await withPreauth(key);
      if ('ticket' in reply) return this.finishAs(reply, key, nonce, cacheKey, known ?? reply.padata.find((p) => p.type === PaType.ETYPE_INFO2));
      this.etypeInfo.delete(cacheKey);
      if (!KEY_REFUSALS.has(reply.code)) throw this.fail(reply, { client: who });
      // The key was refused: a wrong password, or the salt is not the one we used (an account renamed, then its
      // password set). Ask below what the KDC announces; only a different key is worth sending the password again.
      refused = { key, error: reply };
    }

    // Without pre-authentication, to learn the salt and iteration count (ETYPE-INFO2).
    const first = await this.send(() => encodeKdcReq(MsgType.AS_REQ, [paPacRequest(true)], body()), MsgType.AS_REP);
    let padata: PaData[];
    if ('ticket' in first) {
      padata = first.padata; // an account without pre-authentication: the reply carries ETYPE-INFO2 itself
    } else {
      if (first.code !== KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED) throw this.fail(first, { client: who });
      padata = first.eData ? decodeErrorData(first.eData).padata : [];
    }
    const announced = padata.find((p) => p.type === PaType.ETYPE_INFO2);
    const key = await chooseKey(padata);
    // The same key as the refused one: the password is wrong, and sending it again would count twice towards lockout.
    if (refused && key.etype === refused.key.etype && key.value.equals(refused.key.value)) throw this.fail(refused.error, { client: who });

    if ('ticket' in first) return this.finishAs(first, key, nonce, cacheKey, announced);
    const reply = await withPreauth(key);
    if (!('ticket' in reply)) throw this.fail(reply, { client: who });
    return this.finishAs(reply, key, nonce, cacheKey, announced);
  }

  /** Decrypts the AS-REP with the key; once that has worked, the ETYPE-INFO2 that gave the key is remembered. */
  private finishAs(rep: KdcRep, key: Key, nonce: number, cacheKey: string, announced: PaData | undefined): Credentials {
    if (rep.encPart.etype !== key.etype) throw new KrbProtocolError(`AS-REP encrypted with etype ${rep.encPart.etype}, not our key's ${key.etype}`);
    const part = decodeEncKdcRepPart(decrypt(key, KeyUsage.AS_REP_ENCPART, rep.encPart.cipher));
    const creds = this.credentials(rep, part, nonce);
    if (announced) {
      this.etypeInfo.delete(cacheKey);
      // A copy: the PA-DATA's bytes may be a view into the whole reply, which would stay alive with it.
      this.etypeInfo.set(cacheKey, { type: announced.type, value: Buffer.from(announced.value) });
      // The oldest entry goes first (a Map keeps insertion order; a refreshed entry moved to the end above).
      if (this.etypeInfo.size > ETYPE_INFO_CACHE_SIZE) this.etypeInfo.delete(this.etypeInfo.keys().next().value ?? '');
    }
    return creds;
  }

  private keyFromPadata(padata: PaData[], password: string, user: string): Promise<Key> {
    const info = padata.find((p) => p.type === PaType.ETYPE_INFO2);
    const entries = info ? decodeEtypeInfo2(info.value) : [];
    // The KDC lists etypes in its order of preference; take the first we can do.
    const entry = entries.find((e) => isSupportedEtype(e.etype));
    if (entries.length > 0 && !entry) {
      throw new KrbCryptoError(`the KDC offers only etypes ${entries.map((e) => e.etype).join(', ')}; only AES (17, 18) is supported`);
    }
    const etype = entry?.etype ?? EncType.AES256_CTS_HMAC_SHA1_96;
    // RFC 4120 default salt: the realm followed by the name components.
    const salt = entry?.salt ?? `${this.realm}${user}`;
    return stringToKeyAsync(etype, password, salt, iterationsFrom(entry?.s2kparams));
  }

  /**
   * The TGT renewed (RFC 4120 3.3.3): a new end time, at most its renew-till, the same authtime. The KDC checks
   * the account again, as for a new TGT, but no password or key is needed: a session outlives its first TGT.
   */
  renewTgt(tgt: Credentials): Promise<Credentials> {
    return this.tgsExchange(tgt, { sname: tgt.ticket.sname, service: principalToString(tgt.ticket.sname, tgt.ticket.realm), options: KdcOption.RENEW | KdcOption.RENEWABLE });
  }

  /** A service ticket for `spn` ("cifs/dc1.example.test") with the TGT. */
  getServiceTicket(tgt: Credentials, spn: string): Promise<Credentials> {
    return this.tgsExchange(tgt, { sname: servicePrincipal(spn), service: spn });
  }

  /**
   * One TGS exchange with `tgt`: extra PA-DATA (PA-FOR-USER for S4U2Self), extra KDC options and additional
   * tickets (the evidence ticket of S4U2Proxy). The reply is decrypted with the TGT's session key.
   */
  async tgsExchange(tgt: Credentials, req: TgsRequest): Promise<Credentials> {
    let nonce = 0;
    const reply = await this.send(() => {
      nonce = randomInt(1, 0x7fffffff);
      const body: Parameters<typeof reqBodyDer>[0] = {
        // FORWARDABLE only from a forwardable TGT, as MIT does: the KDC refuses the option otherwise (KDC_ERR_BADOPTION),
        // e.g. for an account marked "sensitive and cannot be delegated", whose TGT never is.
        options: ((tgt.flags & TicketFlag.FORWARDABLE) !== 0 ? KdcOption.FORWARDABLE : 0) | KdcOption.CANONICALIZE | (req.options ?? 0),
        realm: this.realm,
        sname: req.sname,
        till: new Date(this.now().getTime() + (this.options.lifetimeMs ?? DEFAULT_LIFETIME)),
        nonce,
        etypes: ETYPES,
      };
      if (req.additionalTickets) body.additionalTickets = req.additionalTickets;
      const bodyDer = reqBodyDer(body);
      const now = this.now();
      const authenticator = authenticatorDer({
        crealm: tgt.crealm,
        cname: tgt.client,
        cksum: {
          type: profile(tgt.sessionKey.etype).checksumType,
          value: checksum(tgt.sessionKey, KeyUsage.TGS_REQ_PA_AUTHENTICATOR_CKSUM, bodyDer),
        },
        cusec: (now.getTime() % 1000) * 1000,
        ctime: now,
      });
      const apReq = encodeApReq(tgt.ticket, 0, {
        etype: tgt.sessionKey.etype,
        cipher: encrypt(tgt.sessionKey, KeyUsage.TGS_REQ_PA_AUTHENTICATOR, authenticator),
      });
      return encodeKdcReq(MsgType.TGS_REQ, [{ type: PaType.TGS_REQ, value: apReq }, ...(req.padata ?? [])], bodyDer);
    }, MsgType.TGS_REP);
    if (!('ticket' in reply)) throw this.fail(reply, { client: req.client ?? principalToString(tgt.client, tgt.crealm), service: req.service });
    const part = decodeEncKdcRepPart(decrypt(tgt.sessionKey, KeyUsage.TGS_REP_ENCPART_SESSION, reply.encPart.cipher));
    return this.credentials(reply, part, nonce);
  }

  private credentials(rep: KdcRep, part: EncKdcRepPart, nonce: number): Credentials {
    // The nonce ties the reply to this request: a replayed older reply fails here.
    if (part.nonce !== nonce) throw new KrbProtocolError('KDC reply nonce does not match the request');
    if (!isSupportedEtype(part.key.etype)) throw new KrbCryptoError(`the KDC chose session key etype ${part.key.etype}`);
    const creds: Credentials = {
      client: rep.cname,
      crealm: rep.crealm,
      ticket: rep.ticket,
      sessionKey: part.key,
      flags: part.flags,
      authtime: part.authtime,
      endtime: part.endtime,
    };
    if (part.renewTill) creds.renewTill = part.renewTill;
    return creds;
  }

  /** The current time as the KDC sees it (our clock plus any adopted offset), for authenticators. */
  kdcNow(): Date {
    return this.now();
  }
}
