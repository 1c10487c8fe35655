import { SmbExistsError, SmbNotDirectoryError, SmbNotFoundError, type DirEntry, type SmbShare } from '../../smb/index.js';
import { CliError } from './errors.js';
import { formatListing, formatStat, sortEntries, toJsonEntry, toJsonStat } from './format.js';
import { baseOf, looksLikeTarget, parseTarget, sameShare, sharePath, splitSegments, unc, type SmbTarget } from './target.js';
import { UsageError } from './usage.js';

export interface OpContext {
  share: SmbShare;
  target: SmbTarget;
  json: boolean;
  setSubject(subject: string): void;
  out(text: string): void;
}

export async function ls(ctx: OpContext): Promise<void> {
  const { share, target } = ctx;
  const path = sharePath(target.segments);
  ctx.setSubject(unc(target));
  let entries: DirEntry[];
  try {
    entries = await share.readdir(path);
  } catch (err) {
    // `ls` of a file shows that file, as ls(1) does.
    if (!(err instanceof SmbNotDirectoryError)) throw err;
    entries = [await share.stat(path)];
  }
  sortEntries(entries);
  ctx.out(ctx.json ? `${JSON.stringify(entries.map(toJsonEntry), null, 2)}\n` : formatListing(entries));
}

export async function statCmd(ctx: OpContext): Promise<void> {
  ctx.setSubject(unc(ctx.target));
  const info = await ctx.share.stat(sharePath(ctx.target.segments));
  if (ctx.target.segments.length === 0) info.name = '';
  ctx.out(ctx.json ? `${JSON.stringify(toJsonStat(info), null, 2)}\n` : formatStat(info, unc(ctx.target)));
}

export async function mkdir(ctx: OpContext, parents: boolean): Promise<void> {
  if (ctx.target.segments.length === 0) throw new UsageError('mkdir needs a path after the share');
  ctx.setSubject(unc(ctx.target));
  await ctx.share.mkdir(sharePath(ctx.target.segments), { recursive: parents });
}

/** Removes a file; a folder only with -r (then with everything in it). */
export async function rm(ctx: OpContext, recursive: boolean): Promise<void> {
  if (ctx.target.segments.length === 0) throw new UsageError('refusing to remove a share root');
  ctx.setSubject(unc(ctx.target));
  const path = sharePath(ctx.target.segments);
  const info = await ctx.share.stat(path);
  if (info.type === 'dir' && !recursive) throw new CliError(`is a folder (use rm -r): ${unc(ctx.target)}`);
  await ctx.share.rm(path, { recursive });
}

/**
 * Renames or moves within one share. TO is another //HOST/SHARE/… on the same share, or a path: from
 * the share root when it starts with a separator, else relative to FROM's folder. An existing folder
 * as TO receives FROM under its own name. An existing file is never replaced.
 */
export async function mv(ctx: OpContext, toArg: string): Promise<void> {
  const from = ctx.target;
  const name = baseOf(from.segments);
  if (name === undefined) throw new UsageError('mv needs a path after the share');
  let toSegments: string[];
  if (looksLikeTarget(toArg)) {
    const to = parseTarget(toArg);
    if (!sameShare(from, to)) throw new UsageError('mv moves within one share: FROM and TO must name the same host, port and share');
    toSegments = to.segments;
  } else if (/^[\\/]/.test(toArg)) {
    toSegments = splitSegments(toArg);
  } else {
    toSegments = [...from.segments.slice(0, -1), ...splitSegments(toArg)];
  }
  ctx.setSubject(unc(from));
  const existing = await ctx.share.stat(sharePath(toSegments)).catch((err: unknown) => {
    if (err instanceof SmbNotFoundError) return undefined;
    throw err;
  });
  if (existing?.type === 'dir') toSegments = [...toSegments, name];
  ctx.setSubject(`${unc(from)} -> ${unc(from, toSegments)}`);
  try {
    await ctx.share.rename(sharePath(from.segments), sharePath(toSegments));
  } catch (err) {
    if (err instanceof SmbExistsError) throw new CliError(`already exists: ${unc(from, toSegments)} (${err.statusName})`);
    throw err;
  }
}
