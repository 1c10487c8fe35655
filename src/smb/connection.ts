import { randomBytes } from 'node:crypto';
import { Capability, Command, Dialect, HeaderFlag, SecurityMode } from './messages/constants.js';
import { HEADER_SIZE, readResponseHeader, splitCompound, writeRequestHeader, type ResponseHeader } from './messages/header.js';
import { NtStatus, isErrorStatus } from './messages/ntstatus.js';
import { clientCapabilities, decodeNegotiateResponse, encodeNegotiateRequest, type CipherName, type NegotiateResponse, type SigningName } from './messages/negotiate.js';
import { encodeCancelRequest, encodeEchoRequest } from './messages/simple.js';
import { align8 } from './messages/encoding.js';
import { SmbDisconnectedError, SmbError, SmbIntegrityError, SmbNotSupportedError, SmbProtocolError, SmbTimeoutError, errorFromStatus } from './errors.js';
import { Transport } from './transport.js';
import { PreauthIntegrity } from './crypto/keys.js';
import { signMessage, signMessageParts, verifyMessage } from './crypto/signing.js';
import { decryptMessage, encryptMessageParts, encryptPartsToParts, isTransformHeader } from './crypto/transform.js';
import { SmbIntegrityError as CryptoIntegrityError } from './crypto/errors.js';

/** Keys and policy of one authenticated session, as the connection needs them to protect each message. */
export interface SecurityContext {
  sessionId: bigint;
  signingAlgorithm: SigningName;
  signingKey: Buffer;
  cipher: CipherName | undefined;
  encryptionKey: Buffer;
  decryptionKey: Buffer;
  /** Sign every request and refuse any response that is not validly signed. */
  sign: boolean;
  /** Encrypt every request of this session (and require encrypted responses). */
  encrypt: boolean;
}

export interface Request {
  command: number;
  body: Buffer;
  /**
   * Sent after `body` as they are, never copied (WRITE data): the caller must leave them untouched until
   * the request settles. If it fails (timeout, abort, disconnect), the socket may still hold them queued,
   * so a failed request's buffers must not be reused for other data on this connection.
   */
  payload?: readonly Buffer[];
  /** Largest response payload we allow (READ length, output buffers); drives the credit charge. */
  responseSize?: number;
  treeId?: number;
  /** Before authentication completes there is a session id but no keys yet. */
  sessionId?: bigint;
  security?: SecurityContext;
  /** Encrypt this request even if the session does not (share-level ENCRYPT_DATA). */
  encrypt?: boolean;
  /** Sign even when the session does not (VALIDATE_NEGOTIATE must always be signed). */
  forceSign?: boolean;
  /** Per-request timeout; null waits forever (CHANGE_NOTIFY). */
  timeoutMs?: number | null;
  /** Error statuses that resolve normally (SESSION_SETUP's MORE_PROCESSING_REQUIRED, COPYCHUNK limits). */
  acceptStatus?: readonly number[];
  /** Names the item in error messages. */
  subject?: string;
  signal?: AbortSignal;
  /**
   * Read a large response frame straight into this buffer (READ into a recycled transfer buffer). The
   * response message is then a view of it; the caller must not reuse the buffer until the request settles
   * and it is done with the response.
   */
  receiveInto?: Buffer;
  /**
   * In a related compound, starts a chain of its own: sent without RELATED_OPERATIONS, so this request and the
   * related ones after it stand apart from those before ([MS-SMB2] 3.3.5.2.7: each request is processed on its
   * own; a related one takes the FileId of the request just before it, and a failed CREATE's error only ends its own chain).
   */
  newChain?: boolean;
}

export interface Response {
  header: ResponseHeader;
  /** The whole response message, header included; body offsets are relative to its start. */
  msg: Buffer;
  /**
   * The request message exactly as sent, before signing; SESSION_SETUP feeds it to the pre-auth hash.
   * For a request with a payload, only its header and body (the payload went out uncopied).
   */
  sent: Buffer;
}

export type Settled = { ok: true; response: Response } | { ok: false; error: SmbError };

export interface ConnectionOptions {
  host: string;
  port: number;
  dialects?: readonly number[];
  connectTimeoutMs?: number;
  timeoutMs?: number;
  /** How long an operation the server acknowledged with STATUS_PENDING may take before we give up. */
  pendingTimeoutMs?: number;
  /** An ECHO is sent after this much silence; a missed answer closes the connection. */
  keepaliveMs?: number;
  /** Ciphers offered in 3.1.1 negotiation, most preferred first. */
  ciphers?: readonly CipherName[];
  signingAlgorithms?: readonly SigningName[];
}

interface Pending {
  messageId: number;
  command: number;
  resolve(response: Response): void;
  reject(error: SmbError): void;
  timer: NodeJS.Timeout | undefined;
  timeoutMs: number | null;
  asyncId: bigint | undefined;
  security: SecurityContext | undefined;
  verify: boolean;
  encrypted: boolean;
  sent: Buffer;
  acceptStatus: readonly number[] | undefined;
  subject: string | undefined;
  sessionId: bigint;
  treeId: number;
  receiveInto: Buffer | undefined;
  /** Removes the abort listener, so a long-lived signal does not collect one per request. */
  detach: (() => void) | undefined;
}

interface CreditWaiter {
  needed: number;
  resolve(): void;
  reject(error: SmbError): void;
}

const CREDIT_TARGET = 512;
const LARGE_MTU_UNIT = 65536;
const DEFAULT_CIPHERS: readonly CipherName[] = ['AES-128-GCM', 'AES-256-GCM', 'AES-128-CCM', 'AES-256-CCM'];
const DEFAULT_SIGNING: readonly SigningName[] = ['AES-GMAC', 'AES-CMAC', 'HMAC-SHA256'];
const COMMAND_NAMES = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k])) as Record<number, string>;

export function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? `0x${command.toString(16)}`;
}

/**
 * One TCP connection: negotiation, message ids and credits, signing/encryption of each message,
 * and matching responses (including interim and compounded ones) to their requests.
 */
export class Connection {
  readonly host: string;
  readonly port: number;
  readonly clientGuid = randomBytes(16);
  readonly timeoutMs: number;
  private readonly pendingTimeoutMs: number;
  private readonly options: ConnectionOptions;

  private transport: Transport | undefined;
  private negotiated: NegotiateResponse | undefined;
  private offeredDialects: readonly number[] = [];
  private offeredSecurityMode = 0;
  private nextMessageId = 0;
  private credits = 1;
  private readonly pending = new Map<number, Pending>();
  private cancels = 0;
  private readonly creditWaiters: CreditWaiter[] = [];
  private readonly sessions = new Map<bigint, SecurityContext>();
  private closedError: SmbError | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lastReceive = Date.now();
  private preauth: PreauthIntegrity | undefined;
  private readonly closeListeners: ((error: SmbError) => void)[] = [];
  /** Pending requests that supplied a receive buffer; while there are any, encrypted frames reuse `cipherFrame`. */
  private receivers = 0;
  private cipherFrame: Buffer | undefined;

  private constructor(options: ConnectionOptions) {
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pendingTimeoutMs = options.pendingTimeoutMs ?? Math.max(this.timeoutMs * 10, 300_000);
  }

  static async connect(options: ConnectionOptions): Promise<Connection> {
    const conn = new Connection(options);
    conn.transport = await Transport.connect(
      { host: options.host, port: options.port, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 },
      {
        onFrame: (frame) => conn.onFrame(frame),
        onClose: (error) => conn.onClose(error),
        frameBuffer: (length, head) => conn.frameBuffer(length, head),
      },
    );
    try {
      await conn.negotiate();
    } catch (err) {
      conn.close();
      throw err;
    }
    conn.startKeepalive();
    return conn;
  }

  get dialect(): number {
    return this.requireNegotiated().dialect;
  }
  get serverGuid(): Buffer {
    return this.requireNegotiated().serverGuid;
  }
  get serverCapabilities(): number {
    return this.requireNegotiated().capabilities;
  }
  get serverSecurityMode(): number {
    return this.requireNegotiated().securityMode;
  }
  get serverRequiresSigning(): boolean {
    return this.requireNegotiated().signingRequired;
  }
  get securityMode(): number {
    return this.offeredSecurityMode;
  }
  get clientCapabilities(): number {
    return clientCapabilities(this.offeredDialects);
  }
  get dialects(): readonly number[] {
    return this.offeredDialects;
  }
  get negotiateSecurityBuffer(): Buffer {
    return this.requireNegotiated().securityBuffer;
  }
  get supportsLargeMtu(): boolean {
    const n = this.requireNegotiated();
    return n.dialect !== Dialect.SMB2_0_2 && (n.capabilities & Capability.LARGE_MTU) !== 0;
  }
  /** Largest single READ/WRITE/transact payload; 64 KiB when multi-credit is unavailable. */
  get maxReadSize(): number {
    const n = this.requireNegotiated();
    return this.supportsLargeMtu ? Math.min(n.maxReadSize, 8 << 20) : Math.min(n.maxReadSize, LARGE_MTU_UNIT);
  }
  get maxWriteSize(): number {
    const n = this.requireNegotiated();
    return this.supportsLargeMtu ? Math.min(n.maxWriteSize, 8 << 20) : Math.min(n.maxWriteSize, LARGE_MTU_UNIT);
  }
  get maxTransactSize(): number {
    const n = this.requireNegotiated();
    return this.supportsLargeMtu ? Math.min(n.maxTransactSize, 8 << 20) : Math.min(n.maxTransactSize, LARGE_MTU_UNIT);
  }
  /** The cipher this connection would use: negotiated in 3.1.1, AES-128-CCM for 3.0/3.0.2 when offered. */
  get cipher(): CipherName | undefined {
    const n = this.requireNegotiated();
    if (n.dialect === Dialect.SMB3_1_1) return n.cipher;
    if (n.dialect >= Dialect.SMB3_0 && (n.capabilities & Capability.ENCRYPTION) !== 0) return 'AES-128-CCM';
    return undefined;
  }
  get signingAlgorithm(): SigningName {
    const n = this.requireNegotiated();
    if (n.dialect < Dialect.SMB3_0) return 'HMAC-SHA256';
    if (n.dialect === Dialect.SMB3_1_1) return n.signingAlgorithm ?? 'AES-CMAC';
    return 'AES-CMAC';
  }
  /** A copy of the pre-auth hash after NEGOTIATE, for a session setup to continue (3.1.1 only). */
  preauthSnapshot(): PreauthIntegrity | undefined {
    return this.preauth?.clone();
  }
  get isOpen(): boolean {
    return this.closedError === undefined && this.transport?.isOpen === true;
  }
  /** Bytes received from / sent to the server on this connection's socket so far. */
  get bytesReceived(): number {
    return this.transport?.bytesRead ?? 0;
  }
  get bytesSent(): number {
    return this.transport?.bytesWritten ?? 0;
  }
  /** Requests sent and not yet answered (or failed): what a cancelled operation must bring back to zero. */
  get outstanding(): number {
    return this.pending.size;
  }
  /** SMB2 CANCEL requests sent on this connection (aborted requests and timed-out ones). */
  get cancelsSent(): number {
    return this.cancels;
  }

  registerSession(security: SecurityContext): void {
    this.sessions.set(security.sessionId, security);
  }
  unregisterSession(sessionId: bigint): void {
    this.sessions.delete(sessionId);
  }
  onceClosed(listener: (error: SmbError) => void): void {
    if (this.closedError !== undefined) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  async request(req: Request): Promise<Response> {
    const [settled] = await this.compound([req]);
    if (settled === undefined) throw new SmbProtocolError('no response');
    if (!settled.ok) throw settled.error;
    return settled.response;
  }

  /**
   * Sends requests as one compound frame. Later requests are marked related when `related` is set, so
   * they can use the FileId of a CREATE earlier in the chain. Each result settles on its own.
   */
  async compound(reqs: readonly Request[], related = true): Promise<Settled[]> {
    if (reqs.length === 0) return [];
    this.throwIfClosed();
    const charges = reqs.map((r) => this.creditCharge(r));
    const needed = charges.reduce((a, c) => a + Math.max(c, 1), 0);
    await this.acquireCredits(needed);
    this.throwIfClosed();

    const first = reqs[0] as Request;
    const security = first.security;
    const encrypt = security !== undefined && (security.encrypt || first.encrypt === true);
    if (encrypt && (security.cipher === undefined || security.encryptionKey.length === 0)) {
      this.credits += needed;
      throw new SmbNotSupportedError(NtStatus.NOT_SUPPORTED, 'encryption requested but no cipher was negotiated');
    }

    // Headers, bodies and alignment padding go into one buffer; payloads are sent from the caller's
    // buffers between them, so a multi-MiB WRITE is never copied (signing and GCM read the parts in place).
    const sizes = reqs.map((r, i) => {
      let size = HEADER_SIZE + r.body.length;
      for (const p of r.payload ?? []) size += p.length;
      return i === reqs.length - 1 ? size : align8(size);
    });
    const payloadBytes = reqs.map((r) => {
      let n = 0;
      for (const p of r.payload ?? []) n += p.length;
      return n;
    });
    const total = sizes.reduce((a, s, i) => a + s - (payloadBytes[i] as number), 0);
    const frame = Buffer.allocUnsafe(total);
    const wire: Buffer[] = [];
    const pendings: Pending[] = [];
    const promises: Promise<Settled>[] = [];
    let offset = 0;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i] as Request;
      const size = sizes[i] as number;
      const ownSize = size - (payloadBytes[i] as number);
      const charge = charges[i] as number;
      const messageId = this.nextMessageId;
      this.nextMessageId += Math.max(charge, 1);
      const sign = !encrypt && security !== undefined && (security.sign || r.forceSign === true);
      const sessionId = security?.sessionId ?? r.sessionId ?? 0n;
      let flags = sign ? HeaderFlag.SIGNED : 0;
      if (i > 0 && related && r.newChain !== true) flags |= HeaderFlag.RELATED_OPERATIONS;
      writeRequestHeader(frame, offset, {
        command: r.command,
        creditCharge: charge,
        creditRequest: this.creditRequestFor(charge),
        flags,
        nextCommand: i === reqs.length - 1 ? 0 : size,
        messageId,
        treeId: r.treeId ?? 0,
        sessionId,
      });
      const headEnd = offset + HEADER_SIZE + r.body.copy(frame, offset + HEADER_SIZE);
      frame.fill(0, headEnd, offset + ownSize);
      const head = frame.subarray(offset, headEnd);
      const rest: Buffer[] = [];
      for (const p of r.payload ?? []) if (p.length > 0) rest.push(p);
      if (offset + ownSize > headEnd) rest.push(frame.subarray(headEnd, offset + ownSize));
      const message = rest.length === 0 ? frame.subarray(offset, offset + ownSize) : head;
      const sent = r.command === Command.SESSION_SETUP ? Buffer.from(message) : message;
      if (sign && security !== undefined) signMessageParts(security.signingAlgorithm, security.signingKey, head, rest);
      wire.push(head, ...rest);

      const pending: Pending = {
        messageId,
        command: r.command,
        resolve: () => undefined,
        reject: () => undefined,
        timer: undefined,
        timeoutMs: r.timeoutMs === undefined ? this.timeoutMs : r.timeoutMs,
        asyncId: undefined,
        security,
        verify: security !== undefined && (security.sign || r.forceSign === true) && !encrypt,
        encrypted: encrypt,
        sent,
        acceptStatus: r.acceptStatus,
        subject: r.subject,
        sessionId,
        treeId: r.treeId ?? 0,
        receiveInto: r.receiveInto,
        detach: undefined,
      };
      if (pending.receiveInto !== undefined) this.receivers++;
      promises.push(
        new Promise<Settled>((resolve) => {
          pending.resolve = (response) => resolve({ ok: true, response });
          pending.reject = (error) => resolve({ ok: false, error });
        }),
      );
      this.pending.set(messageId, pending);
      this.armTimer(pending, pending.timeoutMs);
      pendings.push(pending);
      if (r.signal !== undefined) {
        const signal = r.signal;
        const onAbort = (): void => this.cancel(pending);
        if (signal.aborted) queueMicrotask(onAbort);
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          pending.detach = () => signal.removeEventListener('abort', onAbort);
        }
      }
      offset += ownSize;
    }

    try {
      const transport = this.requireTransport();
      if (encrypt && security !== undefined && security.cipher !== undefined) {
        transport.send(encryptPartsToParts(security.cipher, security.encryptionKey, security.sessionId, wire));
      } else {
        transport.send(wire);
      }
    } catch (err) {
      const error = err instanceof SmbError ? err : new SmbDisconnectedError(`send failed: ${(err as Error).message}`, { cause: err });
      for (const p of pendings) this.settle(p, error);
    }
    return Promise.all(promises);
  }

  /** Ends the connection; every pending request fails with Disconnected. */
  close(): void {
    this.transport?.close(new SmbDisconnectedError('SMB connection closed by client'));
    if (this.transport === undefined) this.onClose(new SmbDisconnectedError('SMB connection closed by client'));
  }

  private async negotiate(): Promise<void> {
    const dialects = [...(this.options.dialects ?? [Dialect.SMB2_0_2, Dialect.SMB2_1, Dialect.SMB3_0, Dialect.SMB3_0_2, Dialect.SMB3_1_1])];
    this.offeredDialects = dialects;
    // We require signing whatever the server's policy: a server that only "enables" it would otherwise
    // let the whole session run unsigned, open to anyone on the path.
    this.offeredSecurityMode = SecurityMode.SIGNING_ENABLED | SecurityMode.SIGNING_REQUIRED;
    const body = encodeNegotiateRequest({
      dialects,
      securityMode: this.offeredSecurityMode,
      capabilities: clientCapabilities(dialects),
      clientGuid: this.clientGuid,
      salt: randomBytes(32),
      ciphers: this.options.ciphers ?? DEFAULT_CIPHERS,
      signingAlgorithms: this.options.signingAlgorithms ?? DEFAULT_SIGNING,
      netName: this.host,
    });
    const res = await this.request({ command: Command.NEGOTIATE, body, timeoutMs: this.options.connectTimeoutMs ?? this.timeoutMs });
    const negotiated = decodeNegotiateResponse(res.msg);
    if (!dialects.includes(negotiated.dialect)) {
      throw new SmbProtocolError(`server chose dialect 0x${negotiated.dialect.toString(16)}, which we did not offer`);
    }
    if (negotiated.dialect === Dialect.SMB3_1_1) {
      if (negotiated.preauthHashAlgorithm !== 1) throw new SmbProtocolError('server did not select SHA-512 pre-auth integrity');
      const preauth = new PreauthIntegrity();
      preauth.update(res.sent);
      preauth.update(res.msg);
      this.preauth = preauth;
    }
    this.negotiated = negotiated;
  }

  private creditCharge(r: Request): number {
    if (this.negotiated === undefined || !this.supportsLargeMtu) return r.command === Command.NEGOTIATE ? 0 : this.negotiated === undefined ? 0 : this.negotiated.dialect === Dialect.SMB2_0_2 ? 0 : 1;
    let sendSize = r.body.length;
    if (r.payload !== undefined) {
      sendSize = 0;
      for (const p of r.payload) sendSize += p.length;
    }
    const size = Math.max(sendSize, r.responseSize ?? 0, 1);
    return Math.ceil(size / LARGE_MTU_UNIT);
  }

  private creditRequestFor(charge: number): number {
    const base = Math.max(charge, 1);
    if (this.negotiated === undefined) return base;
    return this.credits < CREDIT_TARGET ? base + Math.min(256, CREDIT_TARGET - this.credits) : base;
  }

  private acquireCredits(needed: number): Promise<void> {
    if (this.creditWaiters.length === 0 && this.credits >= needed) {
      this.credits -= needed;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.creditWaiters.push({ needed, resolve, reject });
      this.starvationCheck();
    });
  }

  private grantCredits(granted: number): void {
    this.credits += granted;
    while (this.creditWaiters.length > 0) {
      const w = this.creditWaiters[0] as CreditWaiter;
      if (this.credits < w.needed) break;
      this.credits -= w.needed;
      this.creditWaiters.shift();
      w.resolve();
    }
    this.starvationCheck();
  }

  /**
   * With nothing in flight, no response will ever bring credits back; a waiting request that needs more
   * than we hold would hang. An ECHO asking for more credits breaks the deadlock.
   */
  private starvationCheck(): void {
    if (this.creditWaiters.length === 0 || this.pending.size > 0 || this.credits < 1 || !this.isOpen) return;
    const messageId = this.nextMessageId++;
    this.credits -= 1;
    const want = Math.max(((this.creditWaiters[0] as CreditWaiter).needed - this.credits) + 1, 1);
    const security = this.anySession();
    const frame = Buffer.allocUnsafe(HEADER_SIZE + 4);
    writeRequestHeader(frame, 0, {
      command: Command.ECHO, creditCharge: this.supportsLargeMtu ? 1 : 0, creditRequest: Math.min(want + 64, 8192), flags: 0, nextCommand: 0,
      messageId, treeId: 0, sessionId: security?.sessionId ?? 0n,
    });
    encodeEchoRequest().copy(frame, HEADER_SIZE);
    const pending = this.internalPending(messageId, Command.ECHO, frame);
    this.pending.set(messageId, pending);
    this.armTimer(pending, this.timeoutMs);
    this.sendProtected(frame, security, security?.encrypt === true, security?.sign === true);
  }

  /** Connection-level requests (ECHO) ride on a session when there is one, so they are signed like the rest. */
  private anySession(): SecurityContext | undefined {
    return this.sessions.values().next().value;
  }

  /** Encrypts or signs a single hand-built request (ECHO, CANCEL) the way its session's requests are. */
  private sendProtected(frame: Buffer, security: SecurityContext | undefined, encrypt: boolean, sign: boolean): void {
    if (encrypt && security?.cipher !== undefined) {
      this.requireTransport().send(encryptMessageParts(security.cipher, security.encryptionKey, security.sessionId, frame));
      return;
    }
    if (security !== undefined && sign) {
      frame.writeUInt32LE(frame.readUInt32LE(16) | HeaderFlag.SIGNED, 16);
      signMessage(security.signingAlgorithm, security.signingKey, frame);
    }
    this.requireTransport().send([frame]);
  }

  private internalPending(messageId: number, command: number, sent: Buffer): Pending {
    return {
      messageId, command, resolve: () => undefined, reject: () => undefined, timer: undefined, timeoutMs: this.timeoutMs,
      asyncId: undefined, security: undefined, verify: false, encrypted: false, sent, acceptStatus: undefined, subject: undefined, sessionId: 0n, treeId: 0,
      receiveInto: undefined, detach: undefined,
    };
  }

  private armTimer(p: Pending, ms: number | null): void {
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = undefined;
    if (ms === null) return;
    p.timer = setTimeout(() => {
      if (this.pending.get(p.messageId) !== p) return;
      this.settle(p, new SmbTimeoutError(`${commandName(p.command)} timed out after ${ms} ms`, { command: commandName(p.command) }));
      this.sendCancel(p);
    }, ms);
    p.timer.unref?.();
  }

  /** Asks the server to abandon a request; its final response (STATUS_CANCELLED) settles it. */
  private cancel(p: Pending): void {
    if (this.pending.get(p.messageId) !== p) return;
    this.sendCancel(p);
  }

  private sendCancel(p: Pending): void {
    if (!this.isOpen) return;
    const frame = Buffer.allocUnsafe(HEADER_SIZE + 4);
    writeRequestHeader(frame, 0, {
      command: Command.CANCEL, creditCharge: 0, creditRequest: 0, flags: 0, nextCommand: 0,
      messageId: p.asyncId === undefined ? p.messageId : 0, treeId: p.treeId, sessionId: p.sessionId, asyncId: p.asyncId,
    });
    encodeCancelRequest().copy(frame, HEADER_SIZE);
    try {
      this.sendProtected(frame, p.security, p.encrypted, p.verify);
      this.cancels++;
    } catch {
      // A cancel is best effort: if the socket is gone, onClose already failed the request.
    }
  }

  private settle(p: Pending, result: Response | SmbError): void {
    if (this.pending.get(p.messageId) === p) this.pending.delete(p.messageId);
    p.detach?.();
    p.detach = undefined;
    if (p.receiveInto !== undefined) {
      p.receiveInto = undefined;
      if (--this.receivers === 0) this.cipherFrame = undefined;
    }
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = undefined;
    if (result instanceof SmbError) p.reject(result);
    else p.resolve(result);
    if (this.pending.size === 0) this.starvationCheck();
  }

  /**
   * Picks the buffer a large incoming frame is read into. A plain response goes into the buffer its
   * request supplied. An encrypted frame is decrypted (into a new buffer) as soon as it is whole, so while
   * a recycling transfer runs its ciphertext lands in one reused buffer instead of a fresh one each time.
   */
  private frameBuffer(length: number, head: Buffer): Buffer | undefined {
    if (isTransformHeader(head)) {
      if (this.receivers === 0) return undefined;
      if (this.cipherFrame === undefined || this.cipherFrame.length < length) this.cipherFrame = Buffer.allocUnsafe(length);
      return this.cipherFrame.subarray(0, length);
    }
    if (head.length < HEADER_SIZE || head.readUInt32LE(0) !== 0x424d53fe) return undefined;
    const p = this.pending.get(Number(head.readBigUInt64LE(24)));
    const into = p?.receiveInto;
    return into !== undefined && into.length >= length ? into.subarray(0, length) : undefined;
  }

  private onFrame(frame: Buffer): void {
    this.lastReceive = Date.now();
    let plaintext = frame;
    let encrypted = false;
    if (isTransformHeader(frame)) {
      if (frame.length < 52) throw new SmbProtocolError('short transform header');
      const sessionId = frame.readBigUInt64LE(44);
      const security = this.sessions.get(sessionId);
      if (security?.cipher === undefined) throw new SmbProtocolError('encrypted message for an unknown session');
      try {
        plaintext = decryptMessage(security.cipher, security.decryptionKey, frame).plaintext;
      } catch (err) {
        // A forged or corrupted frame cannot be attributed to a request; the stream is no longer trustworthy.
        throw new SmbIntegrityError(`cannot decrypt response: ${(err as Error).message}`, { cause: err });
      }
      encrypted = true;
    }
    for (const msg of splitCompound(plaintext)) this.onMessage(msg, encrypted);
  }

  private onMessage(msg: Buffer, encrypted: boolean): void {
    const header = readResponseHeader(msg);
    if ((header.flags & HeaderFlag.SERVER_TO_REDIR) === 0) throw new SmbProtocolError('message without the response flag');
    if (header.messageId === -1) return; // Oplock/lease break: we request none, so nothing to acknowledge.
    const p = this.pending.get(header.messageId);
    this.grantCredits(header.creditResponse);
    if (p === undefined) return; // Late answer to a request that already timed out.

    if (header.status === NtStatus.PENDING && (header.flags & HeaderFlag.ASYNC_COMMAND) !== 0) {
      // Interim response: the real one follows. Servers don't sign these, so they carry no authority
      // beyond "still working", which only stretches the timeout.
      p.asyncId = header.asyncId;
      if (p.timeoutMs !== null) this.armTimer(p, Math.max(p.timeoutMs, this.pendingTimeoutMs));
      return;
    }

    const integrity = this.checkIntegrity(p, header, msg, encrypted);
    if (integrity !== undefined) {
      this.settle(p, integrity);
      return;
    }
    if (isErrorStatus(header.status) && !(p.acceptStatus ?? []).includes(header.status)) {
      this.settle(p, errorFromStatus(header.status, commandName(p.command), p.subject));
      return;
    }
    this.settle(p, { header, msg, sent: p.sent });
  }

  private checkIntegrity(p: Pending, header: ResponseHeader, msg: Buffer, encrypted: boolean): SmbError | undefined {
    if (p.encrypted) {
      if (!encrypted) return new SmbIntegrityError(`unencrypted ${commandName(p.command)} response on an encrypted session`);
      if (header.sessionId !== p.sessionId) return new SmbIntegrityError('encrypted response for another session');
      return undefined;
    }
    if (encrypted) return undefined;
    const signed = (header.flags & HeaderFlag.SIGNED) !== 0;
    const security = p.security;
    if (p.verify && !signed) {
      return new SmbIntegrityError(`unsigned ${commandName(p.command)} response (${header.status.toString(16)}) where signing is required`);
    }
    if (signed && security !== undefined && security.signingKey.length > 0) {
      try {
        if (!verifyMessage(security.signingAlgorithm, security.signingKey, msg)) {
          return new SmbIntegrityError(`bad signature on ${commandName(p.command)} response`);
        }
      } catch (err) {
        if (err instanceof CryptoIntegrityError) return new SmbIntegrityError(err.message, { cause: err });
        throw err;
      }
    }
    return undefined;
  }

  private onClose(error: SmbError | undefined): void {
    if (this.closedError !== undefined) return;
    const reason = error ?? new SmbDisconnectedError('SMB connection closed by the server');
    // Timeouts and integrity failures close the socket too, but every waiter must see "disconnected".
    const disconnected = reason instanceof SmbDisconnectedError ? reason : new SmbDisconnectedError(`SMB connection lost: ${reason.message}`, { cause: reason });
    this.closedError = disconnected;
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    for (const p of [...this.pending.values()]) this.settle(p, disconnected);
    this.pending.clear();
    for (const w of this.creditWaiters.splice(0)) w.reject(disconnected);
    for (const l of this.closeListeners.splice(0)) l(disconnected);
  }

  private startKeepalive(): void {
    const interval = this.options.keepaliveMs ?? 60_000;
    if (interval <= 0) return;
    this.keepaliveTimer = setInterval(() => {
      if (!this.isOpen || Date.now() - this.lastReceive < interval) return;
      const security = this.anySession();
      this.request({ command: Command.ECHO, body: encodeEchoRequest(), acceptStatus: [], ...(security === undefined ? {} : { security }) }).catch((err: unknown) => {
        if (err instanceof SmbTimeoutError) this.transport?.close(err);
      });
    }, interval);
    this.keepaliveTimer.unref();
  }

  private throwIfClosed(): void {
    if (this.closedError !== undefined) throw this.closedError;
    if (this.transport === undefined) throw new SmbDisconnectedError('not connected');
  }

  private requireTransport(): Transport {
    if (this.transport === undefined || this.closedError !== undefined) throw this.closedError ?? new SmbDisconnectedError();
    return this.transport;
  }

  private requireNegotiated(): NegotiateResponse {
    if (this.negotiated === undefined) throw new SmbProtocolError('not negotiated yet');
    return this.negotiated;
  }
}
