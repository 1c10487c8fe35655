import { ConfigError } from './errors.js';
import { parseHost, parseList, setting } from './fields.js';

/**
 * SMB_ALLOW_UNSIGNED_HOSTS: the legacy file servers whose SMB 2.0.2/2.1 sessions may run unsigned when
 * they will not sign. Empty by default: every session is signed or encrypted, or refused.
 */
export const allowUnsignedHostsSetting = setting(
  'a comma-separated list of host names or IP addresses, as connected to',
  parseList((v) => parseHost(v)?.toLowerCase().replace(/\.$/, '')),
  [],
);

/**
 * The one setting `portcullis smb` reads from the environment: it runs without the web server's
 * configuration, but must treat legacy servers exactly as the web server does.
 */
export function loadAllowUnsignedHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  const parsed = allowUnsignedHostsSetting.safeParse(env.SMB_ALLOW_UNSIGNED_HOSTS);
  if (!parsed.success) {
    throw new ConfigError('SMB_ALLOW_UNSIGNED_HOSTS', `${parsed.error.issues[0]?.message ?? 'invalid'}, got ${JSON.stringify(env.SMB_ALLOW_UNSIGNED_HOSTS)}`);
  }
  return parsed.data;
}

/** Whether `host` (where we connect, after SMB_HOST_MAP) is one of the named legacy servers. */
export function allowsUnsignedSmb(allowUnsignedHosts: readonly string[], host: string): boolean {
  return allowUnsignedHosts.includes(host.toLowerCase().replace(/\.$/, ''));
}
