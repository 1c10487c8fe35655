import { IPC_SHARE, SmbClient } from '../smb/index.js';
import { parseArgs, type SmbArgs } from './smb/args.js';
import { credentialFor, displayUser, parseUser } from './smb/credentials.js';
import { EXIT, report, type ErrorContext } from './smb/errors.js';
import { ls, mkdir, mv, rm, statCmd, type OpContext } from './smb/ops.js';
import { looksLikeTarget, parseServer, parseTarget, unc, type SmbTarget } from './smb/target.js';
import { shares } from './smb/shares.js';
import { get, put } from './smb/transfer.js';
import { USAGE, UsageError } from './smb/usage.js';

const SUBCOMMANDS = ['ls', 'stat', 'get', 'put', 'rm', 'mkdir', 'mv', 'shares'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** What to run once connected: validated before any password is asked for. */
interface Plan {
  target: SmbTarget;
  exec(ctx: OpContext): Promise<void>;
}

/**
 * SMB_ALLOW_UNSIGNED_HOSTS, parsed exactly as the web server parses it. Unset or blank (the usual case)
 * means no exceptions, so the config module (and zod with it) is loaded only when there is a list to read.
 */
async function allowsUnsigned(host: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if ((env.SMB_ALLOW_UNSIGNED_HOSTS ?? '').trim() === '') return false;
  const { allowsUnsignedSmb, loadAllowUnsignedHosts } = await import('../config/smb-signing.js');
  return allowsUnsignedSmb(loadAllowUnsignedHosts(env), host);
}

function expectArgs(sub: string, positional: string[], min: number, max: number): void {
  if (positional.length < min) throw new UsageError(`${sub}: missing argument`);
  if (positional.length > max) throw new UsageError(`${sub}: unexpected argument "${positional[max]}"`);
}

function onlyFor(sub: Subcommand, a: SmbArgs): void {
  if (a.json && sub !== 'ls' && sub !== 'stat' && sub !== 'shares') throw new UsageError(`${sub} does not take --json`);
  if (a.all && sub !== 'shares') throw new UsageError(`${sub} does not take --all`);
  if (a.recursive && sub !== 'rm') throw new UsageError(`${sub} does not take -r`);
  if (a.parents && sub !== 'mkdir') throw new UsageError(`${sub} does not take -p`);
}

function plan(sub: Subcommand, a: SmbArgs): Plan {
  const p = a.positional;
  onlyFor(sub, a);
  switch (sub) {
    case 'ls':
      expectArgs(sub, p, 1, 1);
      return { target: parseTarget(p[0] as string), exec: ls };
    case 'stat':
      expectArgs(sub, p, 1, 1);
      return { target: parseTarget(p[0] as string), exec: statCmd };
    case 'get': {
      expectArgs(sub, p, 1, 2);
      const local = p[1];
      if (local !== undefined && looksLikeTarget(local)) throw new UsageError('get copies to a local file or "-", not to another share');
      return { target: parseTarget(p[0] as string), exec: (ctx) => get(ctx, local) };
    }
    case 'put': {
      expectArgs(sub, p, 2, 2);
      const local = p[0] as string;
      if (looksLikeTarget(local)) throw new UsageError('put takes a local file (or "-") first, then //HOST/SHARE/PATH');
      return { target: parseTarget(p[1] as string), exec: (ctx) => put(ctx, local) };
    }
    case 'rm':
      expectArgs(sub, p, 1, 1);
      return { target: parseTarget(p[0] as string), exec: (ctx) => rm(ctx, a.recursive) };
    case 'mkdir':
      expectArgs(sub, p, 1, 1);
      return { target: parseTarget(p[0] as string), exec: (ctx) => mkdir(ctx, a.parents) };
    case 'shares':
      expectArgs(sub, p, 1, 1);
      return { target: parseServer(p[0] as string, IPC_SHARE), exec: (ctx) => shares(ctx, a.all) };
    case 'mv': {
      expectArgs(sub, p, 2, 2);
      const to = p[1] as string;
      return { target: parseTarget(p[0] as string), exec: (ctx) => mv(ctx, to) };
    }
  }
}

export async function run(args: string[]): Promise<number> {
  const ctx: ErrorContext = { phase: 'connect', server: '', user: '', subject: '' };
  let client: SmbClient | undefined;
  try {
    const [sub, ...rest] = args;
    if (sub === undefined) {
      process.stderr.write(USAGE);
      return EXIT.other;
    }
    if (sub === 'help' || sub === '--help' || sub === '-h') {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}"`);
    const a = parseArgs(rest);
    if (a.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    const { target, exec } = plan(sub as Subcommand, a);
    if (a.user !== undefined) ctx.user = displayUser(parseUser(a.user));
    ctx.server = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    ctx.subject = unc(target, []);
    const allowUnsigned = await allowsUnsigned(target.host, process.env);
    const credential = await credentialFor(a.user);
    // Loaded only with --kerberos: the Kerberos client and its ASN.1 library stay out of every other command's start-up.
    const auth =
      a.kerberos && 'password' in credential
        ? { auth: 'kerberos' as const, kerberos: (await (await import('./smb/kerberos.js')).kerberosFor(a, credential, target.host)).factory }
        : { credential };

    client = await SmbClient.connect({
      host: target.host,
      port: target.port,
      share: target.share,
      ...auth,
      encrypt: a.encrypt,
      allowUnsigned,
      ...(a.timeoutMs === undefined ? {} : { timeoutMs: a.timeoutMs, connectTimeoutMs: a.timeoutMs }),
    });
    if (a.verbose) {
      process.stderr.write(
        `portcullis smb: connected to ${ctx.server} as ${ctx.user} (${client.authMechanism === 'kerberos' ? 'Kerberos' : 'NTLMv2'}): dialect ${client.dialect}, ` +
          `signing ${client.signingAlgorithm ?? 'none'}, cipher ${client.cipher ?? 'none'}\n`,
      );
    }
    ctx.phase = 'op';
    await exec({
      share: client.share(target.share),
      target,
      json: a.json,
      setSubject: (s) => (ctx.subject = s),
      out: (text) => process.stdout.write(text),
    });
    return EXIT.ok;
  } catch (err) {
    const { code, line } = report(err, ctx);
    process.stderr.write(`${line}\n`);
    return code;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
