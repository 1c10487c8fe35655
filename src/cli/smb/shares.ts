import type { ShareListing } from '../../smb/index.js';
import { printableName } from './format.js';
import type { OpContext } from './ops.js';

/** Name, type and comment in aligned columns (as `smbclient -L` shows them), in the server's order. */
export function formatShares(list: readonly ShareListing[]): string {
  const width = Math.max(4, ...list.map((s) => printableName(s.name).length));
  return list.map((s) => `${printableName(s.name).padEnd(width)}  ${s.type.padEnd(7)}  ${printableName(s.comment)}`.trimEnd() + '\n').join('');
}

/** `smb shares //HOST[:PORT]`: the server's shares through IPC$ (ctx.share), `$` names with --all. */
export async function shares(ctx: OpContext, all: boolean): Promise<void> {
  ctx.setSubject(`\\\\${ctx.target.host}\\IPC$`);
  const list = await ctx.share.listShares({ includeHidden: all });
  ctx.out(ctx.json ? `${JSON.stringify(list, null, 2)}\n` : formatShares(list));
}
