// The browser's side of HTTP Negotiate, played with the project's own Kerberos client: a SPNEGO NegTokenInit around
// the AP-REQ for HTTP/<app host>, and tickets minted with a key (to make forged and expired ones on purpose).
import { randomBytes } from 'node:crypto';
import { app, der, fields, flags32, int, octets, str, time } from '../../src/krb/asn1.js';
import { type Key, KeyUsage, encrypt } from '../../src/krb/crypto/etypes.js';
import { encryptedDataNode, keyNode, principalNode, TicketFlag } from '../../src/krb/messages.js';
import { type Credentials, KerberosInitiator, type PrincipalName } from '../../src/krb/index.js';
import { encodeNegTokenInit, OID, parseNegTokenResp } from '../../src/smb/auth/spnego.js';

/** `Authorization: Negotiate …` as Chrome or Firefox send it: SPNEGO offering the MS Kerberos OID first. */
export function negotiateHeader(initiator: KerberosInitiator): string {
  return `Negotiate ${encodeNegTokenInit({ mechTypes: [OID.MS_KERBEROS, OID.KERBEROS], mechToken: initiator.initialToken() }).toString('base64')}`;
}

/** Checks the server's `WWW-Authenticate: Negotiate <token>` (its AP-REP) as a browser does for mutual authentication. */
export function acceptServerReply(initiator: KerberosInitiator, header: string | null): void {
  const m = /^Negotiate\s+(\S+)$/.exec(header ?? '');
  if (!m) throw new Error(`no Negotiate token in ${JSON.stringify(header)}`);
  const resp = parseNegTokenResp(Buffer.from(m[1]!, 'base64'));
  if (resp.negState !== 'accept-completed' || !resp.responseToken) throw new Error(`server answered ${resp.negState ?? 'no state'}`);
  initiator.acceptReply(resp.responseToken);
}

export interface MintOptions {
  client: string;
  realm: string;
  sname: PrincipalName;
  /** The key the ticket is encrypted with: the service's real one (expired tickets) or a random one (forgeries). */
  key: Key;
  kvno?: number;
  authtime: Date;
  endtime: Date;
  flags?: number;
}

/** A ticket made without a KDC: EncTicketPart encrypted under `key`, with a fresh session key we hold. */
export function mintTicket(o: MintOptions): Credentials {
  const sessionKey: Key = { etype: o.key.etype, value: randomBytes(o.key.value.length) };
  const cname: PrincipalName = { type: 1, parts: [o.client] };
  const flags = o.flags ?? (TicketFlag.FORWARDABLE | TicketFlag.PRE_AUTHENT);
  const encPart = der(
    app(
      3,
      fields(
        [0, flags32(flags)],
        [1, keyNode(sessionKey)],
        [2, str(o.realm)],
        [3, principalNode(cname)],
        [4, fields([0, int(1)], [1, octets(Buffer.alloc(0))])],
        [5, time(o.authtime)],
        [7, time(o.endtime)],
      ),
    ),
  );
  const ticketDer = der(
    app(1, fields([0, int(5)], [1, str(o.realm)], [2, principalNode(o.sname)], [3, encryptedDataNode({ etype: o.key.etype, kvno: o.kvno ?? 2, cipher: encrypt(o.key, KeyUsage.KDC_REP_TICKET, encPart) })])),
  );
  return { client: cname, crealm: o.realm, ticket: { realm: o.realm, sname: o.sname, der: ticketDer }, sessionKey, flags, authtime: o.authtime, endtime: o.endtime };
}

export function randomKey(etype = 18): Key {
  return { etype, value: randomBytes(etype === 18 ? 32 : 16) };
}
