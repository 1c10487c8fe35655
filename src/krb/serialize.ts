import type { Credentials } from './client.js';
import { KrbProtocolError } from './errors.js';

/** Credentials (a TGT) as bytes, to be sealed by the caller; versioned JSON with base64 binary fields. */
export function encodeCredentials(c: Credentials): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      client: c.client,
      crealm: c.crealm,
      ticket: { realm: c.ticket.realm, sname: c.ticket.sname, der: c.ticket.der.toString('base64') },
      key: { etype: c.sessionKey.etype, value: c.sessionKey.value.toString('base64') },
      flags: c.flags,
      authtime: c.authtime.getTime(),
      endtime: c.endtime.getTime(),
      ...(c.renewTill ? { renewTill: c.renewTill.getTime() } : {}),
    }),
    'utf8',
  );
}

interface Stored {
  v: number;
  client: Credentials['client'];
  crealm: string;
  ticket: { realm: string; sname: Credentials['client']; der: string };
  key: { etype: number; value: string };
  flags: number;
  authtime: number;
  endtime: number;
  renewTill?: number;
}

export function decodeCredentials(bytes: Buffer): Credentials {
  let s: Stored;
  try {
    s = JSON.parse(bytes.toString('utf8')) as Stored;
  } catch (err) {
    throw new KrbProtocolError('stored Kerberos credentials are unreadable', { cause: err });
  }
  if (s.v !== 1) throw new KrbProtocolError(`stored Kerberos credentials have version ${String(s.v)}`);
  const c: Credentials = {
    client: s.client,
    crealm: s.crealm,
    ticket: { realm: s.ticket.realm, sname: s.ticket.sname, der: Buffer.from(s.ticket.der, 'base64') },
    sessionKey: { etype: s.key.etype, value: Buffer.from(s.key.value, 'base64') },
    flags: s.flags,
    authtime: new Date(s.authtime),
    endtime: new Date(s.endtime),
  };
  if (s.renewTill !== undefined) c.renewTill = new Date(s.renewTill);
  return c;
}
