import type { Drive } from './drives.js';
import type { Endpoint, TrustProxy } from './fields.js';

export type { Drive, Endpoint, TrustProxy };

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LdapConfig {
  /** Tried in order, for redundant DCs. Empty: LDAP not configured. */
  urls: string[];
  caFile: string | undefined;
  startTls: boolean;
  bindDn: string | undefined;
  bindPassword: string | undefined;
  baseDn: string | undefined;
  /** Contains `{username}`, to be replaced by the escaped username. */
  userFilter: string;
  timeoutMs: number;
}

export interface MailConfig {
  host: string | undefined;
  port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string | undefined;
  adminEmails: string[];
}

export interface Config {
  env: NodeEnv;
  server: {
    port: number;
    host: string;
    trustProxy: TrustProxy;
  };
  log: {
    level: LogLevel;
    format: 'json' | 'pretty';
  };
  site: {
    name: string;
    theme: string;
  };
  dataDir: string;
  session: {
    secret: string;
    /** No SESSION_SECRET was given outside production: sessions will not survive a restart. */
    secretGenerated: boolean;
  };
  ldap: LdapConfig;
  ad: {
    /** NetBIOS domain name, upper case, for DOMAIN\user sign-in and NTLM. */
    domain: string | undefined;
  };
  smb: {
    /** Lower-cased UNC host → where to connect. Hosts not listed are connected to as named, on 445. */
    hostMap: Record<string, Endpoint>;
    timeoutMs: number;
    /** Extra servers for the status page to probe, beyond the drives' and the host map's. */
    probe: Endpoint[];
  };
  drivesFile: string | undefined;
  drives: Drive[];
  mail: MailConfig;
}
