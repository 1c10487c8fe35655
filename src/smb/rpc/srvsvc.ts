/**
 * [MS-SRVS] srvsvc: NetrShareEnumAll (opnum 15) at level 1 (name, type, remark). The stub codecs only; the
 * pipe and the bind are in rpc-pipe.ts.
 */
import { NdrReader, NdrWriter, NdrError } from './ndr.js';
import type { Syntax } from './pdu.js';

export const SRVSVC_SYNTAX: Syntax = { uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', version: 3 };
export const SRVSVC_PIPE = 'srvsvc';
export const NETR_SHARE_ENUM_ALL = 15;

/** shi1_type's low bits ([MS-SRVS] 2.2.2.4); STYPE_SPECIAL marks administrative shares (C$, IPC$ …). */
export const ShareTypeBits = { DISKTREE: 0, PRINTQ: 1, DEVICE: 2, IPC: 3, CLUSTER_FS: 0x02000000, TEMPORARY: 0x40000000, SPECIAL: 0x80000000 } as const;

export type ShareKind = 'disk' | 'printer' | 'device' | 'ipc';

export interface ShareInfo1 {
  name: string;
  /** The raw shi1_type, flags included. */
  rawType: number;
  type: ShareKind;
  comment: string;
  /** STYPE_SPECIAL: an administrative share. */
  special: boolean;
}

const KINDS: readonly ShareKind[] = ['disk', 'printer', 'device', 'ipc'];

/** `ServerName` is `\\host` as [MS-SRVS] clients send it; Samba and Windows ignore what it says. */
export function encodeShareEnumAllRequest(serverName: string, preferredMaximumLength = 0xffffffff, resumeHandle = 0): Buffer {
  return new NdrWriter()
    .pointer(true)
    .wideString(serverName)
    .align(4)
    .u32(1) // InfoStruct.Level
    .u32(1) // ShareInfo union discriminant
    .pointer(true) // ShareInfo.Level1
    .u32(0) // SHARE_INFO_1_CONTAINER.EntriesRead
    .pointer(false) // .Buffer: the server fills it
    .u32(preferredMaximumLength)
    .pointer(true) // ResumeHandle
    .u32(resumeHandle)
    .finish();
}

export interface ShareEnumResult {
  shares: ShareInfo1[];
  totalEntries: number;
  /** Non-zero when the server has more (only with a small preferred maximum length). */
  resumeHandle: number;
  /** The WERROR result: 0 on success, 234 (ERROR_MORE_DATA) when there is more. */
  status: number;
}

export function decodeShareEnumAllResponse(stub: Buffer): ShareEnumResult {
  const r = new NdrReader(stub);
  const level = r.u32();
  const arm = r.u32();
  if (level !== 1 || arm !== 1) throw new NdrError(`share info level ${level}/${arm}, asked for 1`);
  const shares: ShareInfo1[] = [];
  if (r.pointer()) {
    const entriesRead = r.u32();
    if (r.pointer()) {
      // Three u32 per fixed entry; the strings follow all of them (NDR defers embedded pointees).
      const count = r.count(12);
      if (count !== entriesRead) throw new NdrError(`container says ${entriesRead} entries, array holds ${count}`);
      const fixed: { hasName: boolean; rawType: number; hasRemark: boolean }[] = [];
      for (let i = 0; i < count; i++) fixed.push({ hasName: r.pointer(), rawType: r.u32(), hasRemark: r.pointer() });
      for (const f of fixed) {
        const name = f.hasName ? r.wideString() : '';
        const comment = f.hasRemark ? r.wideString() : '';
        shares.push({ name, rawType: f.rawType, type: KINDS[f.rawType & 0xff] ?? 'disk', comment, special: (f.rawType & ShareTypeBits.SPECIAL) !== 0 });
      }
    }
  }
  const totalEntries = r.u32();
  const resumeHandle = r.pointer() ? r.u32() : 0;
  const status = r.u32();
  return { shares, totalEntries, resumeHandle, status };
}
