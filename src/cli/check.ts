// `portcullis check [--user NAME]`: validates the configuration, binds to LDAP with the service account,
// optionally signs in as a test user (password from PORTCULLIS_PASSWORD or a no-echo prompt, never argv) and
// connects to each configured drive's server. Prints a pass/fail table; exits 1 on any failure, 2 on bad usage.
import { parseArgs } from 'node:util';
import { adBindSubCode, deriveNtowfv2, type DirectoryUser, directorySettings, LdapDirectory } from '../auth/index.js';
import { allowsUnsignedSmb, type Config, ConfigError, loadConfig, missingLdapSettings } from '../config/index.js';
import { drivesFor, type DriveRef } from '../drives/index.js';
import { SmbClient } from '../smb/index.js';
import { checkLdapBind, checkTcp, smbTargets } from '../health/checks.js';
import { PromptInterrupted, readPasswordFromTerminal } from './smb/prompt.js';
import type { Command } from './types.js';

interface Row {
  check: string;
  target: string;
  ok: boolean | 'skip';
  detail: string;
  ms?: number;
}

const describe = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { statusName?: unknown }).statusName;
  return typeof status === 'string' && !err.message.includes(status) ? `${err.message} (${status})` : err.message || err.name;
};

async function timed(check: string, target: string, work: () => Promise<string>): Promise<Row> {
  const start = performance.now();
  try {
    const detail = await work();
    return { check, target, ok: true, detail, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { check, target, ok: false, detail: describe(err), ms: Math.round(performance.now() - start) };
  }
}

function table(rows: Row[]): string {
  const cells = rows.map((r) => [r.ok === 'skip' ? 'SKIP' : r.ok ? 'PASS' : 'FAIL', r.check, r.target, r.ms === undefined ? '' : `${r.ms} ms`, r.detail.replace(/\s+/g, ' ')]);
  const head = ['RESULT', 'CHECK', 'TARGET', 'TIME', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** AD's bind failures, said plainly (the raw text stays in brackets for searching). */
function explainBind(detail: string): string {
  const sub = adBindSubCode(detail);
  const plain: Record<string, string> = {
    '52e': 'wrong service-account password (LDAP_BIND_PASSWORD) or unknown LDAP_BIND_DN',
    '525': 'LDAP_BIND_DN names no account',
    '532': 'the service account password has expired',
    '533': 'the service account is disabled',
    '701': 'the service account has expired',
    '773': 'the service account must change its password',
    '775': 'the service account is locked out',
  };
  const known = sub === undefined ? undefined : plain[sub];
  return known ? `${known} [${detail}]` : detail;
}

const usage = 'Usage: portcullis check [--user NAME]\n  The password for --user comes from PORTCULLIS_PASSWORD, or is asked for on the terminal.\n';

export const run: Command = async (args) => {
  let user: string | undefined;
  try {
    const parsed = parseArgs({ args, options: { user: { type: 'string', short: 'u' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false });
    if (parsed.values.help) {
      process.stdout.write(usage);
      return 0;
    }
    user = parsed.values.user;
  } catch (err) {
    process.stderr.write(`portcullis check: ${(err as Error).message}\n${usage}`);
    return 2;
  }

  const rows: Row[] = [];
  let config: Config;
  try {
    config = loadConfig(process.env);
    rows.push({ check: 'Configuration', target: 'environment', ok: true, detail: `valid; ${config.drives.length} shared drive(s) configured` });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    rows.push({ check: 'Configuration', target: 'environment', ok: false, detail: err.message });
    process.stdout.write(`${table(rows)}\n\nFAILED: fix the configuration first.\n`);
    return 1;
  }

  const missing = missingLdapSettings(config);
  if (missing.length > 0) {
    rows.push({ check: 'Directory bind', target: 'LDAP', ok: false, detail: `not configured: set ${missing.join(', ')}` });
  } else {
    for (const url of config.ldap.urls) {
      const r = await checkLdapBind(config, url);
      rows.push({ check: r.name, target: r.target, ok: r.state === 'pass', detail: r.state === 'fail' ? explainBind(r.detail) : r.detail, ms: r.ms });
    }
  }

  let signedIn: { user: DirectoryUser; ntowfv2: Buffer } | undefined;
  if (user !== undefined) {
    let password = process.env.PORTCULLIS_PASSWORD;
    if (password === undefined) {
      try {
        password = await readPasswordFromTerminal(`Password for ${user}: `);
      } catch (err) {
        if (err instanceof PromptInterrupted) return 130;
        throw err;
      }
    }
    if (password === undefined) {
      rows.push({ check: `Sign-in as ${user}`, target: 'LDAP', ok: false, detail: 'no password: set PORTCULLIS_PASSWORD or run on a terminal' });
    } else if (missing.length > 0) {
      rows.push({ check: `Sign-in as ${user}`, target: 'LDAP', ok: 'skip', detail: 'LDAP is not configured' });
    } else {
      const directory = new LdapDirectory(directorySettings(config));
      const pw = password;
      rows.push(
        await timed(`Sign-in as ${user}`, 'LDAP', async () => {
          try {
            const found = await directory.authenticate(user, pw);
            signedIn = { user: found, ntowfv2: deriveNtowfv2(pw, found.username, found.domain) };
            return `signed in as ${found.username} (${found.displayName}), ${found.groups.length} group(s)`;
          } finally {
            // Its pooled LDAP connections would keep the command from exiting.
            await directory.close();
          }
        }),
      );
    }
  }

  if (signedIn) {
    // The user's own drives, home included: an SMB session and tree connect each, as that user.
    const { user: found, ntowfv2 } = signedIn;
    const drives: DriveRef[] = drivesFor(found, config);
    if (drives.length === 0) rows.push({ check: 'Drives', target: '-', ok: 'skip', detail: `${found.username} has no drives` });
    for (const drive of drives) {
      rows.push(
        await timed(`Drive "${drive.name}" as ${found.username}`, `${drive.host}:${drive.port} \\${drive.share}`, async () => {
          const client = await SmbClient.connect({
            host: drive.host,
            port: drive.port,
            credential: { username: found.username, domain: found.domain, ntowfv2: Buffer.from(ntowfv2) },
            connectTimeoutMs: config.smb.timeoutMs,
            timeoutMs: config.smb.timeoutMs,
            allowUnsigned: allowsUnsignedSmb(config.smb.allowUnsignedHosts, drive.host),
          });
          try {
            const share = client.share(drive.share);
            await share.stat(drive.basePath.join('/'));
            return `SMB ${client.dialect} session, share and folder open`;
          } finally {
            await client.close();
          }
        }),
      );
    }
    ntowfv2.fill(0);
  } else {
    const targets = smbTargets(config);
    if (targets.length === 0) rows.push({ check: 'File servers', target: 'SMB', ok: 'skip', detail: 'none configured (DRIVES_FILE, SMB_HOST_MAP, SMB_PROBE)' });
    for (const t of targets) {
      const r = await checkTcp(t.endpoint, config.smb.timeoutMs, `File server ${t.names.join(', ')}`);
      rows.push({ check: r.name, target: r.target, ok: r.state === 'pass', detail: `${r.detail}${r.state === 'pass' ? ' (TCP only; --user NAME opens SMB sessions)' : ''}`, ms: r.ms });
    }
  }

  const failed = rows.filter((r) => r.ok === false).length;
  process.stdout.write(`${table(rows)}\n\n${failed === 0 ? 'All checks passed.' : `FAILED: ${failed} check(s) failed.`}\n`);
  return failed === 0 ? 0 : 1;
};
