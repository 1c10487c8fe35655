import { Command, Dialect, Fsctl, RELATED_FILE_ID, ShareFlag } from './messages/constants.js';
import { decodeTreeConnectResponse, encodeTreeConnectRequest } from './messages/tree-connect.js';
import { encodeTreeDisconnectRequest } from './messages/simple.js';
import { decodeIoctlResponse, decodeValidateNegotiateResponse, encodeIoctlRequest, encodeValidateNegotiateInfo } from './messages/ioctl.js';
import { NtStatus } from './messages/ntstatus.js';
import { SmbError, SmbIntegrityError } from './errors.js';
import type { Request, Response, Settled } from './connection.js';
import type { Session } from './session.js';

export type TreeRequest = Omit<Request, 'security' | 'sessionId' | 'treeId' | 'encrypt'>;

/** A connected share. Requests made through it carry its TreeId and its encryption requirement. */
export class Tree {
  readonly session: Session;
  readonly name: string;
  readonly treeId: number;
  readonly shareFlags: number;
  readonly shareType: number;
  readonly maximalAccess: number;
  private disconnected = false;

  private constructor(session: Session, name: string, treeId: number, shareType: number, shareFlags: number, maximalAccess: number) {
    this.session = session;
    this.name = name;
    this.treeId = treeId;
    this.shareType = shareType;
    this.shareFlags = shareFlags;
    this.maximalAccess = maximalAccess;
  }

  /** Encrypted because the session is, or because this share demands it (ShareFlags ENCRYPT_DATA). */
  get encrypted(): boolean {
    return this.session.security.encrypt || (this.shareFlags & ShareFlag.ENCRYPT_DATA) !== 0;
  }

  static async connect(session: Session, share: string): Promise<Tree> {
    const conn = session.connection;
    const unc = `\\\\${conn.host}\\${share}`;
    // [MS-SMB2] 3.2.4.1.1: in 3.1.1 TREE_CONNECT is always signed; pre-auth integrity replaces
    // VALIDATE_NEGOTIATE, and this signature is what binds the tree to the verified negotiation.
    const forceSign = conn.dialect === Dialect.SMB3_1_1;
    const res = await session.request({ command: Command.TREE_CONNECT, body: encodeTreeConnectRequest(unc), subject: share, forceSign });
    const info = decodeTreeConnectResponse(res.msg);
    const tree = new Tree(session, share, res.header.treeId, info.shareType, info.shareFlags, info.maximalAccess);
    if ((conn.dialect === Dialect.SMB3_0 || conn.dialect === Dialect.SMB3_0_2) && !session.security.encrypt) {
      try {
        await validateNegotiate(tree);
      } catch (err) {
        await tree.disconnect().catch(() => undefined);
        throw err;
      }
    }
    return tree;
  }

  request(req: TreeRequest): Promise<Response> {
    return this.session.connection.request({ ...req, security: this.session.security, treeId: this.treeId, encrypt: this.encrypted });
  }

  compound(reqs: readonly TreeRequest[]): Promise<Settled[]> {
    return this.session.connection.compound(
      reqs.map((r) => ({ ...r, security: this.session.security, treeId: this.treeId, encrypt: this.encrypted })),
    );
  }

  async disconnect(): Promise<void> {
    if (this.disconnected) return;
    this.disconnected = true;
    if (this.session.connection.isOpen) await this.request({ command: Command.TREE_DISCONNECT, body: encodeTreeDisconnectRequest() });
  }
}

/**
 * [MS-SMB2] 3.2.5.14.12 secure dialect negotiation for 3.0/3.0.2: the server echoes what it believes
 * was negotiated, in a signed response, so a man in the middle who downgraded NEGOTIATE is caught.
 */
async function validateNegotiate(tree: Tree): Promise<void> {
  const conn = tree.session.connection;
  const input = encodeValidateNegotiateInfo({
    capabilities: conn.clientCapabilities,
    guid: conn.clientGuid,
    securityMode: conn.securityMode,
    dialects: conn.dialects,
  });
  let res: Response;
  try {
    res = await tree.request({
      command: Command.IOCTL,
      body: encodeIoctlRequest({ ctlCode: Fsctl.VALIDATE_NEGOTIATE_INFO, fileId: RELATED_FILE_ID, input, maxOutputResponse: 24 }),
      forceSign: true,
    });
  } catch (err) {
    // Servers that predate the FSCTL answer with a (signed) not-supported status; that is not a downgrade.
    if (err instanceof SmbError && (err.status === NtStatus.NOT_SUPPORTED || err.status === NtStatus.INVALID_DEVICE_REQUEST || err.status === NtStatus.FILE_CLOSED)) return;
    throw err;
  }
  const got = decodeValidateNegotiateResponse(decodeIoctlResponse(res.msg).output);
  if (got.dialect !== conn.dialect || got.securityMode !== conn.serverSecurityMode || got.capabilities !== conn.serverCapabilities || !got.guid.equals(conn.serverGuid)) {
    conn.close();
    throw new SmbIntegrityError('VALIDATE_NEGOTIATE_INFO mismatch: negotiation was tampered with');
  }
}
