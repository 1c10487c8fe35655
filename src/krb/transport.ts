import { createConnection } from 'node:net';
import { KdcUnreachableError, KrbProtocolError } from './errors.js';

export interface KdcAddress {
  host: string;
  port: number;
}

/** Replies bigger than this are refused: a ticket with a 250-group PAC is ~10 KB, so 1 MiB is ample. */
const MAX_REPLY = 1 << 20;

/** Parses "host", "host:port" or "[v6]:port"; the Kerberos port is 88. */
export function parseKdcAddress(spec: string): KdcAddress {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new RangeError(`bad KDC address ${spec}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 88 };
}

/** One request/response over TCP: a 4-byte big-endian length, then the message (RFC 4120 section 7.2.2). */
export function exchangeTcp(kdc: KdcAddress, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: kdc.host, port: kdc.port });
    const chunks: Buffer[] = [];
    let received = 0;
    let expected = -1;
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new KdcUnreachableError(`KDC ${kdc.host}:${kdc.port} did not answer within ${timeoutMs} ms`)));
    socket.on('error', (err) => fail(new KdcUnreachableError(`KDC ${kdc.host}:${kdc.port}: ${err.message}`, { cause: err })));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(message.length);
      socket.write(Buffer.concat([prefix, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected < 0 && received >= 4) {
        expected = Buffer.concat(chunks).readUInt32BE(0);
        if (expected & 0x80000000 || expected > MAX_REPLY) {
          fail(new KrbProtocolError(`KDC ${kdc.host}:${kdc.port} announced a ${expected}-byte reply`));
          return;
        }
      }
      if (expected >= 0 && received >= 4 + expected) {
        socket.end();
        resolve(Buffer.concat(chunks).subarray(4, 4 + expected));
      }
    });
    socket.on('end', () => {
      if (expected < 0 || received < 4 + expected) fail(new KdcUnreachableError(`KDC ${kdc.host}:${kdc.port} closed the connection mid-reply`));
    });
  });
}

/**
 * Tries each KDC in turn until one answers; only unreachable ones are skipped.
 * A KDC that answers (even with KRB-ERROR) is authoritative, as for LDAP failover.
 */
export async function exchange(kdcs: readonly KdcAddress[], message: Buffer, timeoutMs: number): Promise<Buffer> {
  if (kdcs.length === 0) throw new KdcUnreachableError('no KDC configured');
  const errors: string[] = [];
  for (const kdc of kdcs) {
    try {
      return await exchangeTcp(kdc, message, timeoutMs);
    } catch (err) {
      if (!(err instanceof KdcUnreachableError)) throw err;
      errors.push(err.message);
    }
  }
  throw new KdcUnreachableError(`no KDC answered: ${errors.join('; ')}`);
}
