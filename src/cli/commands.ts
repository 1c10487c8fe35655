import type { CommandModule } from './types.js';

/**
 * One module per command, imported only when chosen, so `portcullis smb` does not load Express.
 * To add a command: write src/cli/<name>.ts exporting `summary` and `run`, and list it here.
 */
export const commands: Record<string, () => Promise<CommandModule>> = {
  serve: () => import('./serve.js'),
  check: () => import('./check.js'),
  smb: () => import('./smb.js'),
};
