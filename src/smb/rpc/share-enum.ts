/**
 * A server's shares: IPC$ → the srvsvc pipe → bind → NetrShareEnumAll level 1 (again with the resume handle
 * while the server says there is more) → close. Failures come out as SmbErrors like the rest of src/smb.
 */
import { NtStatus } from '../messages/ntstatus.js';
import { SmbAccessDeniedError, SmbError, SmbProtocolError } from '../errors.js';
import type { Tree } from '../tree.js';
import { NamedPipe } from './named-pipe.js';
import { NdrError } from './ndr.js';
import { RpcFaultError, RpcProtocolError } from './pdu.js';
import { RpcPipe, type RpcBindOptions } from './rpc-pipe.js';
import { decodeShareEnumAllResponse, encodeShareEnumAllRequest, NETR_SHARE_ENUM_ALL, SRVSVC_PIPE, SRVSVC_SYNTAX, type ShareInfo1, type ShareKind } from './srvsvc.js';

export interface ShareListing {
  name: string;
  type: ShareKind;
  comment: string;
}

export interface ListSharesOptions extends RpcBindOptions {
  /** Include names ending in `$` (C$, IPC$, hidden shares); left out by default, as Windows Explorer does. */
  includeHidden?: boolean;
}

/** The inter-process communication share every SMB server has; its pipes carry DCE/RPC. */
export const IPC_SHARE = 'IPC$';
const ERROR_ACCESS_DENIED = 5;
const ERROR_MORE_DATA = 234;
/** Rounds of ERROR_MORE_DATA we follow; with an unlimited preferred length a server needs one. */
const MAX_ROUNDS = 64;

export const isHiddenShare = (name: string): boolean => name.endsWith('$');

function asSmbError(err: unknown): unknown {
  if (err instanceof SmbError) return err;
  if (err instanceof RpcFaultError && err.status === ERROR_ACCESS_DENIED) return new SmbAccessDeniedError(NtStatus.ACCESS_DENIED, 'share list refused', { cause: err });
  if (err instanceof RpcFaultError || err instanceof RpcProtocolError || err instanceof NdrError) return new SmbProtocolError(`share list: ${err.message}`, { cause: err });
  return err;
}

/** The raw level-1 entries, hidden ones and IPC$ included. */
export async function enumerateShares(ipc: Tree, serverName: string, options: RpcBindOptions = {}): Promise<ShareInfo1[]> {
  let pipe: NamedPipe | undefined;
  try {
    pipe = await NamedPipe.open(ipc, SRVSVC_PIPE);
    const rpc = await RpcPipe.bind(pipe, SRVSVC_SYNTAX, options);
    const shares: ShareInfo1[] = [];
    let resume = 0;
    for (let round = 0; ; round++) {
      const result = decodeShareEnumAllResponse(await rpc.call(NETR_SHARE_ENUM_ALL, encodeShareEnumAllRequest(`\\\\${serverName}`, undefined, resume)));
      shares.push(...result.shares);
      if (result.status === ERROR_MORE_DATA && result.resumeHandle !== 0 && result.shares.length > 0 && round < MAX_ROUNDS) {
        resume = result.resumeHandle;
        continue;
      }
      if (result.status === ERROR_ACCESS_DENIED) throw new SmbAccessDeniedError(NtStatus.ACCESS_DENIED, 'share list refused');
      if (result.status !== 0) throw new SmbProtocolError(`NetrShareEnumAll failed with WERROR ${result.status}`);
      return shares;
    }
  } catch (err) {
    throw asSmbError(err);
  } finally {
    await pipe?.close().catch(() => undefined);
  }
}

/** Shares as users see them: name, type and comment, `$` names only when asked, in the server's order. */
export async function listShares(ipc: Tree, serverName: string, options: ListSharesOptions = {}): Promise<ShareListing[]> {
  const all = await enumerateShares(ipc, serverName, options);
  return all.filter((s) => options.includeHidden === true || !isHiddenShare(s.name)).map((s) => ({ name: s.name, type: s.type, comment: s.comment }));
}
