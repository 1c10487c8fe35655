import { createHash } from 'node:crypto';
import { Fields, app, der, fields, int, parse, time, unwrapApp } from './asn1.js';
import type { Credentials } from './client.js';
import { type Key, KeyUsage, decrypt, encrypt } from './crypto/etypes.js';
import { KrbCryptoError, KrbError, KrbProtocolError } from './errors.js';
import { unwrapGssToken, wrapGssToken } from './gss.js';
import { ApOption, MsgType, type PrincipalName, type Ticket, encryptedDataNode, principalToString, readEncryptedData, readKey, readPrincipal, readTicket } from './messages.js';
import { encodeNegTokenAccept, parseNegotiateToken } from './spnego.js';

/**
 * The Kerberos acceptor (RFC 4120 3.2.3, RFC 4121) for HTTP Negotiate: decrypts the browser's ticket with our key,
 * checks its times and the authenticator (same client, time within the skew, never seen before), and answers with
 * an AP-REP when mutual authentication was asked for. The ticket itself then serves as S4U2Proxy evidence.
 */

const TOK_AP_REQ = 0x0100;
const TOK_AP_REP = 0x0200;
const App = { ENC_TICKET_PART: 3, AUTHENTICATOR: 2, ENC_AP_REP_PART: 27 } as const;
/** RFC 4120's customary maximum clock skew, MIT's and Windows' default. */
export const DEFAULT_SKEW_MS = 5 * 60_000;

export type ApReqProblem = 'malformed' | 'wrong-service' | 'no-key' | 'integrity' | 'expired' | 'not-yet-valid' | 'skew' | 'replay' | 'client-mismatch';

/** The AP-REQ was refused; `problem` says why (for the log; the client only sees a fresh challenge). */
export class ApReqRejectedError extends KrbError {
  override name = 'ApReqRejectedError';
  constructor(
    readonly problem: ApReqProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Remembers authenticators within the skew window, so a captured Authorization header cannot be replayed.
 * `add` is false when `key` was already seen (a replay); otherwise it remembers the key until `until` (ms).
 */
export interface ReplayGuard {
  add(key: string, until: number, now: number): boolean | Promise<boolean>;
}

/** One process's memory of authenticators (see ReplayGuard); several instances need a shared guard as well. */
export class ReplayCache implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}

  /** False when `key` was already seen (a replay); otherwise remembers it until `until` (ms). */
  add(key: string, until: number, now: number): boolean {
    if (this.seen.size >= this.maxEntries / 2) for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
    const prior = this.seen.get(key);
    if (prior !== undefined && prior > now) return false;
    // Full of live entries: refuse rather than forget one (forgetting would let its replay through).
    if (this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, until);
    return true;
  }
}

export interface AcceptorOptions {
  /** The keys that may have encrypted a ticket to `sname` (our HTTP/ SPN): keytab entries, else the account's. */
  keys: (sname: PrincipalName, etype: number) => Promise<readonly Key[]>;
  /** Which services we accept tickets for (e.g. only HTTP/…); default any we hold a key for. */
  acceptService?: (sname: PrincipalName) => boolean;
  replay: ReplayGuard;
  now?: () => Date;
  skewMs?: number;
}

export interface AcceptedContext {
  client: PrincipalName;
  crealm: string;
  /** The ticket as the browser sent it (encrypted to our key): S4U2Proxy's evidence. */
  ticket: Ticket;
  flags: number;
  authtime: Date;
  endtime: Date;
  sessionKey: Key;
  /** What goes back in `WWW-Authenticate: Negotiate <token>` (the AP-REP), when the client asked for mutual authentication. */
  responseToken?: Buffer;
}

interface EncTicketPart {
  flags: number;
  key: Key;
  crealm: string;
  cname: PrincipalName;
  authtime: Date;
  starttime?: Date;
  endtime: Date;
}

function decodeEncTicketPart(buf: Buffer): EncTicketPart {
  const f = new Fields(unwrapApp(parse(buf, 'EncTicketPart'), App.ENC_TICKET_PART, 'EncTicketPart'), 'EncTicketPart');
  const out: EncTicketPart = {
    flags: f.flags(0),
    key: readKey(f.fields(1, 'key')),
    crealm: f.str(2),
    cname: readPrincipal(f.fields(3, 'cname')),
    authtime: f.time(5),
    endtime: f.time(7),
  };
  const starttime = f.optTime(6);
  if (starttime) out.starttime = starttime;
  return out;
}

interface Authenticator {
  crealm: string;
  cname: PrincipalName;
  cusec: number;
  ctime: Date;
  subkey?: Key;
  seqNumber?: number;
}

function decodeAuthenticator(buf: Buffer): Authenticator {
  const f = new Fields(unwrapApp(parse(buf, 'Authenticator'), App.AUTHENTICATOR, 'Authenticator'), 'Authenticator');
  if (f.int(0) !== 5) throw new KrbProtocolError('Authenticator is not version 5');
  const out: Authenticator = { crealm: f.str(1), cname: readPrincipal(f.fields(2, 'cname')), cusec: f.int(4), ctime: f.time(5) };
  if (f.has(6)) out.subkey = readKey(f.fields(6, 'subkey'));
  const seq = f.optInt(7);
  if (seq !== undefined) out.seqNumber = seq;
  return out;
}

const samePrincipal = (a: PrincipalName, b: PrincipalName): boolean =>
  a.parts.length === b.parts.length && a.parts.every((p, i) => p.toLowerCase() === b.parts[i]!.toLowerCase());

/**
 * Checks `Authorization: Negotiate <token>` (already base64-decoded). Throws ApReqRejectedError for anything
 * forged, expired, replayed or not for us; never a bare crypto or parse error.
 */
export async function acceptNegotiate(token: Buffer, options: AcceptorOptions): Promise<AcceptedContext> {
  const now = (options.now ?? (() => new Date()))();
  const skew = options.skewMs ?? DEFAULT_SKEW_MS;

  let spnego: boolean;
  let apReq: { options: number; ticket: Ticket; encTicket: ReturnType<typeof readEncryptedData>; authenticator: ReturnType<typeof readEncryptedData> };
  try {
    const negotiate = parseNegotiateToken(token);
    spnego = negotiate.spnego;
    const { tokId, body } = unwrapGssToken(negotiate.krbToken);
    if (tokId !== TOK_AP_REQ) throw new KrbProtocolError(`expected an AP-REQ, got GSS token 0x${tokId.toString(16)}`);
    const f = new Fields(unwrapApp(parse(body, 'AP-REQ'), MsgType.AP_REQ, 'AP-REQ'), 'AP-REQ');
    if (f.int(0) !== 5 || f.int(1) !== MsgType.AP_REQ) throw new KrbProtocolError('AP-REQ has the wrong version or type');
    const ticketNode = f.node(3);
    const ticket = readTicket(ticketNode);
    const tf = new Fields(unwrapApp(ticketNode, 1, 'Ticket'), 'Ticket');
    apReq = { options: f.flags(2), ticket, encTicket: readEncryptedData(tf.fields(3, 'enc-part')), authenticator: readEncryptedData(f.fields(4, 'authenticator')) };
  } catch (err) {
    if (err instanceof ApReqRejectedError) throw err;
    throw new ApReqRejectedError('malformed', `not a Kerberos AP-REQ: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  const { ticket } = apReq;
  const service = principalToString(ticket.sname, ticket.realm);
  if (options.acceptService && !options.acceptService(ticket.sname)) throw new ApReqRejectedError('wrong-service', `the ticket is for ${service}, which we do not accept`);
  const keys = (await options.keys(ticket.sname, apReq.encTicket.etype)).filter((k) => k.etype === apReq.encTicket.etype);
  if (keys.length === 0) throw new ApReqRejectedError('no-key', `no key of ours for ${service} with etype ${apReq.encTicket.etype}`);

  let part: EncTicketPart | undefined;
  for (const key of keys) {
    try {
      part = decodeEncTicketPart(decrypt(key, KeyUsage.KDC_REP_TICKET, apReq.encTicket.cipher));
      break;
    } catch (err) {
      if (!(err instanceof KrbCryptoError)) throw new ApReqRejectedError('malformed', `the ticket for ${service} does not parse`, { cause: err });
    }
  }
  if (!part) throw new ApReqRejectedError('integrity', `the ticket for ${service} does not decrypt with our key: forged, or made for another key version`);

  const t = now.getTime();
  if (part.endtime.getTime() + skew < t) throw new ApReqRejectedError('expired', `the ticket of ${principalToString(part.cname, part.crealm)} expired at ${part.endtime.toISOString()}`);
  if ((part.starttime ?? part.authtime).getTime() - skew > t) throw new ApReqRejectedError('not-yet-valid', 'the ticket is not valid yet');

  let auth: Authenticator;
  try {
    auth = decodeAuthenticator(decrypt(part.key, KeyUsage.AP_REQ_AUTHENTICATOR, apReq.authenticator.cipher));
  } catch (err) {
    throw new ApReqRejectedError('integrity', 'the authenticator does not decrypt with the ticket session key', { cause: err });
  }
  if (!samePrincipal(auth.cname, part.cname) || auth.crealm.toUpperCase() !== part.crealm.toUpperCase()) {
    throw new ApReqRejectedError('client-mismatch', `the authenticator names ${principalToString(auth.cname, auth.crealm)}, the ticket ${principalToString(part.cname, part.crealm)}`);
  }
  if (Math.abs(auth.ctime.getTime() - t) > skew) {
    throw new ApReqRejectedError('skew', `the authenticator's time ${auth.ctime.toISOString()} is more than ${skew / 1000} s from ours`);
  }
  // RFC 4120 3.2.3: the same authenticator (client, time, microseconds, server) accepted once only.
  const replayKey = createHash('sha256').update(`${principalToString(part.cname, part.crealm)}\0${service}\0${auth.ctime.getTime()}\0${auth.cusec}\0`).update(apReq.authenticator.cipher).digest('base64');
  if (!(await options.replay.add(replayKey, auth.ctime.getTime() + skew, t))) throw new ApReqRejectedError('replay', `the authenticator of ${principalToString(part.cname, part.crealm)} was seen before (a replay)`);

  const ctx: AcceptedContext = { client: part.cname, crealm: part.crealm, ticket, flags: part.flags, authtime: part.authtime, endtime: part.endtime, sessionKey: part.key };
  if (apReq.options & ApOption.MUTUAL_REQUIRED) {
    const encPart = der(app(App.ENC_AP_REP_PART, fields([0, time(auth.ctime)], [1, int(auth.cusec)], [3, auth.seqNumber === undefined ? undefined : int(auth.seqNumber)])));
    const apRep = der(app(MsgType.AP_REP, fields([0, int(5)], [1, int(MsgType.AP_REP)], [2, encryptedDataNode({ etype: part.key.etype, cipher: encrypt(part.key, KeyUsage.AP_REP_ENCPART, encPart) })])));
    const gss = wrapGssToken(TOK_AP_REP, apRep);
    ctx.responseToken = spnego ? encodeNegTokenAccept(gss) : gss;
  }
  return ctx;
}

/** The accepted ticket as S4U2Proxy evidence (only its encrypted form and flags matter to the KDC). */
export function evidenceOf(ctx: AcceptedContext): Pick<Credentials, 'ticket' | 'flags' | 'endtime'> {
  return { ticket: ctx.ticket, flags: ctx.flags, endtime: ctx.endtime };
}
