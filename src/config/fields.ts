import { accessSync, constants, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * Builders for environment settings. Each setting is a zod schema from `string | undefined`
 * whose only failure is a custom issue reading "expected …", so the loader can turn any
 * failure into "NAME: expected …, got "value"" without knowing which setting it was.
 */

// An empty value and an unset one mean the same to someone editing a compose file: "use the default".
const blankToUndefined = z
  .string()
  .optional()
  .transform((s) => {
    const t = s?.trim();
    return t === '' ? undefined : t;
  });

type Parse<T> = (value: string) => T | undefined;

/** Passwords are taken verbatim: a leading or trailing space may be part of one. */
export const secret = (expected: string, parse: Parse<string>): z.ZodType<string | undefined, string | undefined> =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const parsed = parse(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
        return z.NEVER;
      }
      return parsed;
    });

export function setting<T>(expected: string, parse: Parse<T>): z.ZodType<T | undefined, string | undefined>;
export function setting<T>(expected: string, parse: Parse<T>, fallback: T): z.ZodType<T, string | undefined>;
export function setting<T>(expected: string, parse: Parse<T>, fallback?: T): z.ZodType<T | undefined, string | undefined> {
  return blankToUndefined.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    return parsed;
  });
}

export const parseInteger =
  (min: number, max: number): Parse<number> =>
  (v) => {
    if (!/^\d+$/.test(v)) return undefined;
    const n = Number(v);
    return n >= min && n <= max ? n : undefined;
  };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
export const parseBoolean: Parse<boolean> = (v) => {
  const lower = v.toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
};

export const parseOneOf =
  <const T extends string>(values: readonly T[]): Parse<T> =>
  (v) =>
    values.find((x) => x === v.toLowerCase());

export const splitList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Every item must parse, or the whole list is refused: a half-applied list is a silent misconfiguration. */
export const parseList =
  <T>(item: Parse<T>): Parse<T[]> =>
  (v) => {
    const out: T[] = [];
    for (const part of splitList(v)) {
      const parsed = item(part);
      if (parsed === undefined) return undefined;
      out.push(parsed);
    }
    return out.length > 0 ? out : undefined;
  };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
export const isHostname = (v: string): boolean => net.isIP(v) !== 0 || HOSTNAME.test(v);

export const parseHost: Parse<string> = (v) => (isHostname(v) ? v : undefined);

export interface Endpoint {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. A bare IPv6 address is allowed without a port. */
export const parseEndpoint =
  (defaultPort: number): Parse<Endpoint> =>
  (v) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? (net.isIPv6(v) ? [v, v, undefined] : /^([^:]+)(?::(\d+))?$/.exec(v));
    if (!m) return undefined;
    const [, host = '', portText] = m;
    if (!isHostname(host)) return undefined;
    const port = portText === undefined ? defaultPort : parseInteger(1, 65535)(portText);
    return port === undefined ? undefined : { host, port };
  };

/** A DNS server as node:dns's setServers takes it: an IP address (names would need DNS), "IP:port" or "[IPv6]:port". */
export const parseDnsServer: Parse<string> = (v) => {
  const e = parseEndpoint(53)(v);
  if (!e || net.isIP(e.host) === 0) return undefined;
  return net.isIPv6(e.host) ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
};

export type TrustProxy = boolean | number | string[];
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isSubnet = (v: string): boolean => {
  const [addr = '', bits, ...rest] = v.split('/');
  const family = net.isIP(addr);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return parseInteger(0, family === 4 ? 32 : 128)(bits) !== undefined;
};
/** The forms Express's `trust proxy` accepts: true/false, a hop count, or addresses, subnets and names. */
export const parseTrustProxy: Parse<TrustProxy> = (v) => {
  const bool = parseBoolean(v);
  if (bool !== undefined && !/^\d+$/.test(v)) return bool;
  if (/^\d+$/.test(v)) return parseInteger(0, 100)(v);
  return parseList((s) => (PROXY_NAMES.has(s) || isSubnet(s) ? s : undefined))(v);
};

export const parseLdapUrl: Parse<string> = (v) => {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return undefined;
  }
  const pathOk = url.pathname === '' || url.pathname === '/';
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '' || !pathOk || url.search !== '') {
    return undefined;
  }
  return `${url.protocol}//${url.host}`;
};

/** A link shown to users (HELP_URL): http(s) only, so it can never be a javascript: or data: URL; no credentials. */
export const parseHttpUrl: Parse<string> = (v) => {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return undefined;
  }
  const ok = (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
  return ok && v.length <= 2048 ? url.href : undefined;
};

const EMAIL = z.email();
export const parseEmail: Parse<string> = (v) => (EMAIL.safeParse(v).success ? v : undefined);
/** RFC 5322 "Display Name <addr>" as well as a bare address, because that is what From: headers use. */
export const parseMailbox: Parse<string> = (v) => {
  const m = /^[^<>]*<([^<>]+)>$/.exec(v);
  return parseEmail(m?.[1] ?? v) === undefined ? undefined : v;
};

/** Checked at start-up so a typo in a mounted path fails now, not at the first sign-in. */
export const parseReadableFile: Parse<string> = (v) => {
  const full = path.resolve(v);
  try {
    accessSync(full, constants.R_OK);
    return statSync(full).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
};

export const parseText =
  (max: number): Parse<string> =>
  (v) =>
    // eslint-disable-next-line no-control-regex
    v.length <= max && !/[\u0000-\u001f\u007f]/.test(v) ? v : undefined;
