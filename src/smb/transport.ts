import { Socket, connect as netConnect } from 'node:net';
import { SmbDisconnectedError, SmbError, SmbProtocolError, SmbTimeoutError } from './errors.js';

/** Direct TCP ([MS-SMB2] 2.1): each message is prefixed by 0x00 and a 24-bit big-endian length. */
export const MAX_FRAME = 0x00ff_ffff;
/** Reads of small messages land here; anything larger is read straight into its own buffer. */
const SCRATCH_SIZE = 64 * 1024;
/** Bytes of a large frame we gather before asking where it goes: an SMB2 header (64) or a transform header (52). */
const FRAME_HEAD = 64;

export interface TransportOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

export interface TransportHandlers {
  onFrame(frame: Buffer): void;
  /**
   * Where a frame too large for scratch should be read: a buffer of exactly `length` bytes (a view into a
   * caller's recycled buffer), or undefined for a fresh one. `head` is the frame's first bytes (at least
   * 64, unless the frame is shorter); the buffer must stay untouched until the frame is delivered.
   */
  frameBuffer?(length: number, head: Buffer): Buffer | undefined;
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

  // Receive state. Reads land in `scratch` until a frame too big for it shows up; then the socket reads
  // straight into that frame's own buffer (see readBuffer), so a multi-MiB READ response is written once
  // by the kernel and never copied or concatenated in JS.
  private readonly scratch: Buffer;
  /** Bytes at the start of `scratch` kept from earlier reads: a partial length prefix or small frame. */
  private carry = 0;
  /** The large frame being filled in place, and how much of it has arrived. */
  private frame: Buffer | undefined;
  private frameFilled = 0;

  private constructor(socket: Socket, handlers: TransportHandlers, scratch: Buffer) {
    this.socket = socket;
    this.scratch = scratch;
    this.handlers = handlers;
    socket.on('error', (err: Error) => {
      this.closeError ??= new SmbDisconnectedError(`SMB connection failed: ${err.message}`, { cause: err });
    });
    socket.on('close', () => this.finish());
  }

  static connect(options: TransportOptions, handlers: TransportHandlers): Promise<Transport> {
    return new Promise((resolve, reject) => {
      // `onread` lets us choose the buffer for every read: Node asks for the first one now and for each
      // next one right after delivering a read. No data arrives before 'connect' creates the Transport.
      let transport: Transport | undefined;
      const scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
      const socket = netConnect({
        host: options.host,
        port: options.port,
        noDelay: true,
        onread: {
          buffer: () => transport?.readBuffer() ?? scratch,
          callback: (bytes: number, buf: Uint8Array) => {
            transport?.received(bytes, buf);
            return true;
          },
        },
      });
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
        transport = new Transport(socket, handlers, scratch);
        resolve(transport);
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Bytes the socket has received and sent so far (framing and headers included): what crossed the wire. */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }
  get bytesWritten(): number {
    return this.socket.bytesWritten;
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
    this.frame = undefined;
    this.handlers.onClose(this.closeError);
  }

  private fail(error: SmbError): void {
    this.closeError ??= error;
    this.socket.destroy();
  }

  /** Where the next socket read goes: the rest of the frame being filled, or scratch after the carry. */
  private readBuffer(): Uint8Array {
    if (this.frame !== undefined) return this.frame.subarray(this.frameFilled);
    return this.scratch.subarray(this.carry);
  }

  private received(bytes: number, buf: Uint8Array): void {
    if (this.closed) return;
    const frame = this.frame;
    if (frame !== undefined) {
      this.frameFilled += bytes;
      if (this.frameFilled === frame.length) {
        this.frame = undefined;
        this.deliver(frame);
      }
      return;
    }
    if (buf.buffer !== this.scratch.buffer) {
      this.fail(new SmbProtocolError('socket read into an unexpected buffer'));
      return;
    }
    this.parseScratch(this.carry + bytes);
  }

  /**
   * Delivers every whole frame in scratch[0, end). Small frames are copied out, because scratch is reused
   * by the next read while a response may be kept for long; a frame that does not fit in scratch gets its
   * own buffer and the socket fills it from then on.
   */
  private parseScratch(end: number): void {
    let at = 0;
    while (end - at >= 4 && !this.closed) {
      if (this.scratch[at] !== 0) {
        this.fail(new SmbProtocolError(`bad direct-TCP frame marker 0x${(this.scratch[at] ?? 0).toString(16)}`));
        return;
      }
      const length = this.scratch.readUInt32BE(at) & MAX_FRAME;
      const available = end - at - 4;
      if (length <= available) {
        if (length > 0) this.deliver(Buffer.from(this.scratch.subarray(at + 4, at + 4 + length)));
        at += 4 + length;
        continue;
      }
      if (4 + length > SCRATCH_SIZE) {
        // Wait for the header so the connection can tell whose response this is.
        if (available < FRAME_HEAD) break;
        const supplied = this.handlers.frameBuffer?.(length, this.scratch.subarray(at + 4, end));
        const frame = supplied !== undefined && supplied.length === length ? supplied : Buffer.allocUnsafe(length);
        this.scratch.copy(frame, 0, at + 4, end);
        this.frame = frame;
        this.frameFilled = available;
        this.carry = 0;
        return;
      }
      break;
    }
    // A partial prefix or small frame: move it to the front and read the rest behind it.
    this.carry = end - at;
    if (at > 0 && this.carry > 0) this.scratch.copyWithin(0, at, end);
  }

  private deliver(frame: Buffer): void {
    try {
      this.handlers.onFrame(frame);
    } catch (err) {
      this.fail(err instanceof SmbError ? err : new SmbProtocolError(`cannot process SMB frame: ${(err as Error).message}`, { cause: err }));
    }
  }
}
