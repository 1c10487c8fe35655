import net from 'node:net';
import { openLdap, readCa, transportName } from '../auth/ldap-connection.js';
import { type Config, type Endpoint, missingLdapSettings, resolveSmbHost } from '../config/index.js';

export type CheckState = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  /** What was contacted, e.g. "ldaps://127.0.0.2:636" or "127.0.0.2:445". */
  target: string;
  state: CheckState;
  detail: string;
  ms: number;
}

export interface StatusReport {
  ok: boolean;
  checkedAt: string;
  ldap: CheckResult[];
  smb: CheckResult[];
}

export type StatusChecks = () => Promise<StatusReport>;

const elapsed = (start: number): number => Math.round(performance.now() - start);
const describe = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err)) || 'failed';

/** Binds as the service account on one URL: proves reachability, TLS trust and the credentials together. */
export async function checkLdapBind(config: Config, url: string): Promise<CheckResult> {
  const { ldap } = config;
  const start = performance.now();
  const result = (state: CheckState, detail: string): CheckResult => ({ name: `Directory bind (${transportName(url, ldap.startTls)})`, target: url, state, detail, ms: elapsed(start) });
  try {
    const connection = await openLdap(url, ldap, await readCa(ldap.caFile));
    try {
      await connection.bind(ldap.bindDn ?? '', ldap.bindPassword ?? '');
    } finally {
      await connection.close();
    }
    return result('pass', 'The service account signed in.');
  } catch (err) {
    return result('fail', describe(err));
  }
}

/** A TCP connect only: enough to show the SMB server is up and reachable from here. */
export function checkTcp(endpoint: Endpoint, timeoutMs: number, name: string): Promise<CheckResult> {
  const start = performance.now();
  const target = endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const finish = (state: CheckState, detail: string): void => {
      socket.destroy();
      resolve({ name, target, state, detail, ms: elapsed(start) });
    };
    socket.setTimeout(timeoutMs, () => finish('fail', `no answer within ${timeoutMs} ms`));
    socket.once('connect', () => finish('pass', 'The port answered.'));
    socket.once('error', (err) => finish('fail', describe(err)));
  });
}

/**
 * The file servers worth probing: each drive's server, each SMB_HOST_MAP entry (it exists because
 * some UNC host lives there, typically the home-directory server) and SMB_PROBE.
 */
export function smbTargets(config: Config): { endpoint: Endpoint; names: string[] }[] {
  const byAddress = new Map<string, { endpoint: Endpoint; names: string[] }>();
  const add = (endpoint: Endpoint, name: string): void => {
    const key = `${endpoint.host.toLowerCase()}|${endpoint.port}`;
    const entry = byAddress.get(key) ?? { endpoint, names: [] };
    if (!entry.names.includes(name)) entry.names.push(name);
    byAddress.set(key, entry);
  };
  for (const drive of config.drives) add(resolveSmbHost(config, drive.host), drive.host);
  for (const host of Object.keys(config.smb.hostMap)) add(resolveSmbHost(config, host), host);
  for (const endpoint of config.smb.probe) add(endpoint, endpoint.host);
  return [...byAddress.values()];
}

export function statusChecks(config: Config): StatusChecks {
  return async () => {
    const missing = missingLdapSettings(config);
    const ldap: Promise<CheckResult[]> =
      missing.length > 0
        ? Promise.resolve([{ name: 'Directory bind', target: 'LDAP', state: 'skip', detail: `Not configured: set ${missing.join(', ')}.`, ms: 0 }])
        : Promise.all(config.ldap.urls.map((url) => checkLdapBind(config, url)));
    const targets = smbTargets(config);
    const smb: Promise<CheckResult[]> =
      targets.length > 0
        ? Promise.all(targets.map((t) => checkTcp(t.endpoint, config.smb.timeoutMs, `File server ${t.names.join(', ')}`)))
        : Promise.resolve([{ name: 'File server', target: 'SMB', state: 'skip', detail: 'Not configured: set DRIVES_FILE, SMB_HOST_MAP or SMB_PROBE.', ms: 0 }]);
    const [ldapResults, smbResults] = await Promise.all([ldap, smb]);
    const all = [...ldapResults, ...smbResults];
    return {
      ok: all.every((c) => c.state === 'pass'),
      checkedAt: new Date().toISOString(),
      ldap: ldapResults,
      smb: smbResults,
    };
  };
}

/** Concurrent page loads share one run, so reloading the page cannot multiply binds against the DC. */
export function singleFlight(checks: StatusChecks): StatusChecks {
  let running: Promise<StatusReport> | undefined;
  return () => {
    running ??= checks().finally(() => {
      running = undefined;
    });
    return running;
  };
}
