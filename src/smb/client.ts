import type { Readable, Writable } from 'node:stream';
import { Dialect } from './messages/constants.js';
import type { CipherName, SigningName } from './messages/negotiate.js';
import { Connection } from './connection.js';
import { Session } from './session.js';
import { Tree } from './tree.js';
import { SmbShare, type DirEntry, type FsSpace, type Stats, type WriteFlags } from './share.js';
import type { SmbWatcher } from './watch.js';
import { splitPath } from './paths.js';
import { SmbDisconnectedError, SmbInvalidNameError } from './errors.js';
import { NtStatus } from './messages/ntstatus.js';
import type { NtlmCredential } from './auth/ntlm.js';
import type { KerberosMechanismFactory } from './auth/kerberos.js';
import type { SmbAuthMode } from './session.js';
import type { PipeFromOptions, PipeOptions, UploadSource } from './file.js';
import { IPC_SHARE, type ListSharesOptions, type ShareListing } from './rpc/share-enum.js';

export interface SmbClientOptions {
  host: string;
  port?: number;
  /**
   * Default share. When set, every path given to the client is relative to it. When not set, the first
   * segment of each path names the share ("data/reports/q1.pdf"). `client.share(name)` works either way.
   */
  share?: string;
  /** For NTLMv2; required unless `auth` is `kerberos`. */
  credential?: NtlmCredential;
  /** Gets a Kerberos context (an AP-REQ for cifs/<host FQDN>) for each session setup, reconnects included. */
  kerberos?: KerberosMechanismFactory;
  /** `kerberos`, `ntlm`, or `auto` (Kerberos when `kerberos` yields a ticket, else NTLMv2). Default: `auto` with `kerberos`, else `ntlm`. */
  auth?: SmbAuthMode;
  /** In `auto`, why Kerberos was not used this time (the caller logs it). */
  onKerberosUnavailable?: (err: unknown) => void;
  /** Encrypt all traffic even when the server does not demand it (needs SMB 3.x). */
  encrypt?: boolean;
  /**
   * Every session is signed (or encrypted) whatever the server requires. Set this only for a named legacy
   * server that will not sign SMB 2.0.2/2.1: its session then runs unsigned instead of failing with
   * SmbUnsignedSessionError. SMB 3.x sessions are never unsigned.
   */
  allowUnsigned?: boolean;
  dialects?: number[];
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  workstation?: string;
}

const DIALECT_NAMES: Record<number, string> = {
  [Dialect.SMB2_0_2]: '2.0.2',
  [Dialect.SMB2_1]: '2.1',
  [Dialect.SMB3_0]: '3.0',
  [Dialect.SMB3_0_2]: '3.0.2',
  [Dialect.SMB3_1_1]: '3.1.1',
};

/**
 * The public face of src/smb: one connection and one session to a server, trees per share on demand,
 * and an API shaped like node:fs/promises. Not reconnecting by itself: the pool decides when to call
 * reconnect(), so a flapping server never causes silent retries of non-idempotent operations.
 */
export class SmbClient {
  readonly options: SmbClientOptions;
  private connection: Connection;
  private session: Session;
  private trees = new Map<string, Promise<Tree>>();
  private readonly shares = new Map<string, SmbShare>();
  private closed = false;
  private earlierReceived = 0;
  private earlierSent = 0;
  private earlierCancels = 0;

  private constructor(options: SmbClientOptions, connection: Connection, session: Session) {
    this.options = options;
    this.connection = connection;
    this.session = session;
  }

  static async connect(options: SmbClientOptions): Promise<SmbClient> {
    const { connection, session } = await SmbClient.establish(options);
    const client = new SmbClient(options, connection, session);
    if (options.share !== undefined) {
      try {
        await client.treeFor(options.share);
      } catch (err) {
        await client.close();
        throw err;
      }
    }
    return client;
  }

  private static async establish(options: SmbClientOptions): Promise<{ connection: Connection; session: Session }> {
    const connection = await Connection.connect({
      host: options.host,
      port: options.port ?? 445,
      ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
    try {
      const session = await Session.setup(connection, {
        ...(options.credential === undefined ? {} : { credential: options.credential }),
        ...(options.kerberos === undefined ? {} : { kerberos: options.kerberos }),
        ...(options.auth === undefined ? {} : { auth: options.auth }),
        ...(options.onKerberosUnavailable === undefined ? {} : { onKerberosUnavailable: options.onKerberosUnavailable }),
        ...(options.encrypt === undefined ? {} : { encrypt: options.encrypt }),
        ...(options.allowUnsigned === undefined ? {} : { allowUnsigned: options.allowUnsigned }),
        ...(options.workstation === undefined ? {} : { workstation: options.workstation }),
      });
      return { connection, session };
    } catch (err) {
      connection.close();
      throw err;
    }
  }

  /** How the current session authenticated: `kerberos` or `ntlm`. */
  get authMechanism(): 'kerberos' | 'ntlm' {
    return this.session.mechanism;
  }
  /** "3.1.1", "3.0.2", "2.1" … */
  get dialect(): string {
    return DIALECT_NAMES[this.connection.dialect] ?? `0x${this.connection.dialect.toString(16)}`;
  }
  /** The algorithm signing our messages, or undefined when the session is encrypted instead (or an allowed unsigned 2.x one). */
  get signingAlgorithm(): SigningName | undefined {
    return this.session.security.sign ? this.session.security.signingAlgorithm : undefined;
  }
  /** The cipher in use, or undefined when traffic to the default share is not encrypted. */
  get cipher(): CipherName | undefined {
    if (this.session.security.encrypt) return this.session.security.cipher;
    return undefined;
  }
  /**
   * Bytes this client received from / sent to the server, over every connection it has had (reconnects
   * included): what a server-side copy must leave near zero.
   */
  get bytesReceived(): number {
    return this.earlierReceived + this.connection.bytesReceived;
  }
  get bytesSent(): number {
    return this.earlierSent + this.connection.bytesSent;
  }
  /** Requests in flight on the current connection. */
  get outstanding(): number {
    return this.connection.outstanding;
  }
  /** SMB2 CANCELs sent over every connection this client has had. */
  get cancelsSent(): number {
    return this.earlierCancels + this.connection.cancelsSent;
  }
  get isConnected(): boolean {
    return !this.closed && this.connection.isOpen;
  }

  share(name: string): SmbShare {
    let share = this.shares.get(name);
    if (share === undefined) {
      share = new SmbShare(name, () => this.treeFor(name));
      this.shares.set(name, share);
    }
    return share;
  }

  /** Drops the connection (if any) and builds a new connection, session and default tree. */
  async reconnect(): Promise<void> {
    if (this.closed) throw new SmbDisconnectedError('client was closed');
    this.connection.close();
    this.earlierReceived += this.connection.bytesReceived;
    this.earlierSent += this.connection.bytesSent;
    this.earlierCancels += this.connection.cancelsSent;
    this.trees = new Map();
    const { connection, session } = await SmbClient.establish(this.options);
    this.connection = connection;
    this.session = session;
    if (this.options.share !== undefined) await this.treeFor(this.options.share);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.connection.isOpen) {
        const trees = await Promise.allSettled([...this.trees.values()]);
        await Promise.allSettled(trees.map((t) => (t.status === 'fulfilled' ? t.value.disconnect() : undefined)));
        await this.session.logoff().catch(() => undefined);
      }
    } finally {
      this.connection.close();
    }
  }

  readdir(path: string): Promise<DirEntry[]> {
    const [share, rest] = this.route(path);
    return share.readdir(rest);
  }
  stat(path: string): Promise<Stats> {
    const [share, rest] = this.route(path);
    return share.stat(rest);
  }
  exists(path: string): Promise<boolean> {
    const [share, rest] = this.route(path);
    return share.exists(rest);
  }
  createReadStream(path: string, options?: { start?: number; end?: number }): Readable {
    const [share, rest] = this.route(path);
    return share.createReadStream(rest, options);
  }
  /** See SmbShare.pipeTo: copies a file into `writable` through recycled buffers; does not end it. */
  pipeTo(path: string, writable: Writable, options?: PipeOptions): Promise<{ bytes: number }> {
    const [share, rest] = this.route(path);
    return share.pipeTo(rest, writable, options);
  }
  /** See SmbShare.pipeFrom: uploads an `{ fd }` or a Readable through recycled buffers. */
  pipeFrom(path: string, source: UploadSource, options?: PipeFromOptions & { flags?: WriteFlags }): Promise<{ bytes: number }> {
    const [share, rest] = this.route(path);
    return share.pipeFrom(rest, source, options);
  }
  createWriteStream(path: string, options?: { flags?: 'w' | 'wx' | 'a' }): Writable {
    const [share, rest] = this.route(path);
    return share.createWriteStream(rest, options);
  }
  readFile(path: string): Promise<Buffer> {
    const [share, rest] = this.route(path);
    return share.readFile(rest);
  }
  writeFile(path: string, data: Buffer | string): Promise<void> {
    const [share, rest] = this.route(path);
    return share.writeFile(rest, data);
  }
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    const [share, rest] = this.route(path);
    return share.mkdir(rest, options);
  }
  rename(from: string, to: string, options?: { replace?: boolean }): Promise<void> {
    const [share, src] = this.route(from);
    const [toShare, dst] = this.route(to);
    if (toShare !== share) return Promise.reject(new SmbInvalidNameError(NtStatus.NOT_SAME_DEVICE, 'cannot rename across shares'));
    return share.rename(src, dst, options);
  }
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    const [share, rest] = this.route(path);
    return share.rm(rest, options);
  }
  copy(from: string, to: string): Promise<void> {
    const [share, src] = this.route(from);
    const [toShare, dst] = this.route(to);
    if (toShare !== share) return Promise.reject(new SmbInvalidNameError(NtStatus.NOT_SAME_DEVICE, 'server-side copy needs both paths on one share'));
    return share.copy(src, dst);
  }
  watch(path: string, options?: { recursive?: boolean }): SmbWatcher {
    const [share, rest] = this.route(path);
    return share.watch(rest, options);
  }
  /** The server's shares (srvsvc NetrShareEnumAll over IPC$); `$` names only with includeHidden. */
  listShares(options?: ListSharesOptions): Promise<ShareListing[]> {
    return this.share(IPC_SHARE).listShares(options);
  }
  statfs(path = ''): Promise<FsSpace> {
    const [share] = this.route(path);
    return share.statfs();
  }

  private route(path: string): [SmbShare, string] {
    if (this.options.share !== undefined) return [this.share(this.options.share), path];
    const [shareName, ...rest] = splitPath(path);
    if (shareName === undefined) throw new SmbInvalidNameError(NtStatus.OBJECT_PATH_SYNTAX_BAD, 'path must start with a share name');
    return [this.share(shareName), rest.join('\\')];
  }

  private treeFor(name: string): Promise<Tree> {
    if (this.closed) return Promise.reject(new SmbDisconnectedError('client was closed'));
    let tree = this.trees.get(name);
    if (tree === undefined) {
      const map = this.trees;
      tree = Tree.connect(this.session, name);
      // A failed connect must not poison the cache: the next call tries again.
      tree.catch(() => {
        if (map.get(name) === tree) map.delete(name);
      });
      map.set(name, tree);
    }
    return tree;
  }
}
