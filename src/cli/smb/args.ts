import { UsageError } from './usage.js';

export interface SmbArgs {
  user: string | undefined;
  encrypt: boolean;
  verbose: boolean;
  json: boolean;
  recursive: boolean;
  parents: boolean;
  help: boolean;
  /** shares: include `$` names. */
  all: boolean;
  timeoutMs: number | undefined;
  /** Authenticate with Kerberos only (a TGT from the password, then a ticket for cifs/<server name>). */
  kerberos: boolean;
  realm: string | undefined;
  kdcs: string[];
  /** The server's FQDN for its ticket, when HOST is an address. */
  serverName: string | undefined;
  positional: string[];
}

/** Options that would put a password into argv (and so into `ps` and shell history): refused by name. */
const PASSWORD_OPTIONS = new Set(['--password', '--pass', '--passwd', '--pw', '-P', '--password-file']);

export const PASSWORD_NOT_FROM_ARGV =
  'the password is never taken from the command line; set PORTCULLIS_PASSWORD or run on a terminal to be asked';

/**
 * Parses options anywhere on the line (`--opt value`, `--opt=value`, bundled short flags like `-rv`);
 * `-` alone is a positional (stdin/stdout) and `--` ends the options.
 */
export function parseArgs(argv: readonly string[]): SmbArgs {
  const out: SmbArgs = {
    user: undefined,
    encrypt: false,
    verbose: false,
    json: false,
    recursive: false,
    parents: false,
    help: false,
    all: false,
    timeoutMs: undefined,
    kerberos: false,
    realm: undefined,
    kdcs: [],
    serverName: undefined,
    positional: [],
  };
  let i = 0;
  const value = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (PASSWORD_OPTIONS.has(name)) throw new UsageError(PASSWORD_NOT_FROM_ARGV);
    switch (name) {
      case '--user':
      case '-U':
        out.user = value(name, inline);
        break;
      case '--timeout': {
        const seconds = Number(value(name, inline));
        if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError('--timeout takes a number of seconds');
        out.timeoutMs = Math.round(seconds * 1000);
        break;
      }
      case '--encrypt':
        out.encrypt = true;
        break;
      case '--kerberos':
        out.kerberos = true;
        break;
      case '--realm':
        out.realm = value(name, inline);
        break;
      case '--kdc':
        out.kdcs.push(value(name, inline));
        break;
      case '--server-name':
        out.serverName = value(name, inline);
        break;
      case '--verbose':
        out.verbose = true;
        break;
      case '--json':
        out.json = true;
        break;
      case '--recursive':
        out.recursive = true;
        break;
      case '--parents':
        out.parents = true;
        break;
      case '--help':
        out.help = true;
        break;
      case '--all':
        out.all = true;
        break;
      default:
        if (arg.startsWith('--') || inline !== undefined) throw new UsageError(`unknown option ${name}`);
        for (const flag of arg.slice(1)) {
          if (flag === 'v') out.verbose = true;
          else if (flag === 'r' || flag === 'R') out.recursive = true;
          else if (flag === 'p') out.parents = true;
          else if (flag === 'h') out.help = true;
          else throw new UsageError(`unknown option -${flag}`);
        }
    }
  }
  return out;
}
