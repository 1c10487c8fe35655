import type { CommandModule } from './types.js';

export const commandNames = ['serve', 'check', 'smb'] as const;
export type CommandName = (typeof commandNames)[number];

/**
 * The one-line summaries live here, not in the command modules, so `portcullis --help` loads none of
 * them (`serve` alone pulls in the whole web server).
 */
export const summaries: Record<CommandName, string> = {
  serve: 'start the web server (configured by environment variables)',
  check: 'check the configuration, LDAP and file servers (--user NAME also signs in as NAME)',
  smb: 'talk to an SMB server: ls, stat, get, put, rm, mkdir, mv (portcullis smb --help)',
};

/**
 * One module per command, imported only when chosen, so `portcullis smb` does not load Express.
 * To add a command: write src/cli/<name>.ts exporting `run`, and list it here and above.
 */
export const commands: Record<CommandName, () => Promise<CommandModule>> = {
  serve: () => import('./serve.js'),
  check: () => import('./check.js'),
  smb: () => import('./smb.js'),
};
