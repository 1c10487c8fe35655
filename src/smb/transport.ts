import { Socket, connect as netConnect } from 'node:net';
import { SmbDisconnectedError, SmbError, SmbProtocolError, SmbTimeoutError } from './errors.js';

/** Direct TCP ([MS-SMB2] 2.1): each message is prefixed by 0x00 and a 24-bit big-endian length. */
export const MAX_FRAME = 0x00ff_ffff;

export interface TransportOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

export interface TransportHandlers {
  onFrame(frame: Buffer): void;
  /** Called exactly once, whatever ended the socket; `error` says why when it was not our own close(). */
  onClose(error: SmbError | undefined): void;
}

/**
 * Owns the socket. Every socket event is handled here so nothing reaches the process as an unhandled
 * 'error'; the connection only sees whole frames and one close notification.
 */
export class Transport {
  private readonly socket: Socket;
  private readonly handlers: TransportHandlers;
  private closed = false;
  private closeError: SmbError | undefined;

  // Receive state: chunks not yet forming a whole frame, without concatenating them eagerly.
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private frameLength = -1;
  private frame: Buffer | undefined;
  private frameFilled = 0;

  private constructor(socket: Socket, handlers: TransportHandlers) {
    this.socket = socket;
    this.handlers = handlers;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err: Error) => {
      this.closeError ??= new SmbDisconnectedError(`SMB connection failed: ${err.message}`, { cause: err });
    });
    socket.on('close', () => this.finish());
  }

  static connect(options: TransportOptions, handlers: TransportHandlers): Promise<Transport> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host, port: options.port, noDelay: true });
      let settled = false;
      const fail = (error: SmbError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new SmbTimeoutError(`connecting to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
      socket.once('error', (err: Error) =>
        fail(new SmbDisconnectedError(`cannot connect to ${options.host}:${options.port}: ${err.message}`, { cause: err })),
      );
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setKeepAlive(true, 30_000);
        resolve(new Transport(socket, handlers));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Writes one frame made of `parts` (header, body, payload) with a single length prefix. */
  send(parts: readonly Buffer[]): void {
    if (this.closed) throw new SmbDisconnectedError();
    let length = 0;
    for (const p of parts) length += p.length;
    if (length > MAX_FRAME) throw new RangeError(`SMB frame of ${length} bytes exceeds the 24-bit length`);
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeUInt32BE(length, 0);
    this.socket.cork();
    this.socket.write(prefix);
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
  }

  /** Closes the socket; pending work is failed by the connection through onClose. */
  close(error?: SmbError): void {
    if (error !== undefined) this.closeError ??= error;
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.frame = undefined;
    this.handlers.onClose(this.closeError);
  }

  private fail(error: SmbError): void {
    this.closeError ??= error;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0 && !this.closed) {
      if (this.frameLength < 0) {
        // Need the 4-byte prefix first, which may itself be split across chunks.
        if (this.pendingBytes + data.length < 4) {
          this.pending.push(data);
          this.pendingBytes += data.length;
          return;
        }
        const head = this.pendingBytes === 0 ? data : Buffer.concat([...this.pending, data]);
        this.pending = [];
        this.pendingBytes = 0;
        if (head[0] !== 0) {
          this.fail(new SmbProtocolError(`bad direct-TCP frame marker 0x${(head[0] ?? 0).toString(16)}`));
          return;
        }
        this.frameLength = head.readUInt32BE(0) & MAX_FRAME;
        data = head.subarray(4);
        if (this.frameLength === 0) {
          this.frameLength = -1;
          continue;
        }
        if (data.length >= this.frameLength) {
          // Fast path: the whole frame arrived in this chunk; hand out a view, no copy.
          const frame = data.subarray(0, this.frameLength);
          data = data.subarray(this.frameLength);
          this.frameLength = -1;
          this.deliver(frame);
          continue;
        }
        this.frame = Buffer.allocUnsafe(this.frameLength);
        this.frameFilled = 0;
      }
      const frame = this.frame;
      if (frame === undefined) return;
      const take = Math.min(data.length, this.frameLength - this.frameFilled);
      data.copy(frame, this.frameFilled, 0, take);
      this.frameFilled += take;
      data = data.subarray(take);
      if (this.frameFilled === this.frameLength) {
        this.frame = undefined;
        this.frameLength = -1;
        this.deliver(frame);
      }
    }
  }

  private deliver(frame: Buffer): void {
    try {
      this.handlers.onFrame(frame);
    } catch (err) {
      this.fail(err instanceof SmbError ? err : new SmbProtocolError(`cannot process SMB frame: ${(err as Error).message}`, { cause: err }));
    }
  }
}
