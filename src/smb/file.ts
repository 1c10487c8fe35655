import { read as fsRead } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { Command, InfoType, ShareAccess } from './messages/constants.js';
import { decodeCreateResponse, encodeCreateRequest, type CreateResponse } from './messages/create.js';
import { CloseFlag, decodeCloseResponse, encodeCloseRequest, encodeFlushRequest, type CloseResponse } from './messages/close.js';
import { decodeReadResponse, decodeWriteResponse, encodeReadRequest, encodeWriteRequestHead } from './messages/read-write.js';
import { decodeOutputBuffer } from './messages/query-directory.js';
import { encodeQueryInfoRequest } from './messages/query-info.js';
import { encodeSetInfoRequest } from './messages/set-info.js';
import { decodeIoctlResponse, encodeIoctlRequest } from './messages/ioctl.js';
import { decodeLockResponse, encodeLockRequest, LockFlag } from './messages/lock.js';
import { NtStatus } from './messages/ntstatus.js';
import { SmbError, SmbProtocolError } from './errors.js';
import type { Tree } from './tree.js';
import { giveBack, takeBuffer } from './buffer-pool.js';

export interface OpenOptions {
  desiredAccess: number;
  disposition: number;
  createOptions?: number;
  shareAccess?: number;
  fileAttributes?: number;
}

/**
 * Defaults that keep memory flat yet fill a fast link: 16 MiB of READs in flight, as 4 × 4 MiB where the
 * server allows large MTU (measured best on loopback against Samba) or as many 64 KiB requests where it
 * does not. WRITEs get 32 MiB (8 × 4 MiB): the server holds each one while it writes to disk, so a
 * deeper queue keeps it busy (512 MiB signed upload: ~1000 ms at 16 MiB, ~815 ms at 32 MiB).
 * 32 MiB is 512 large-MTU credits, which the connection asks for and Samba grants (up to 8192).
 */
export const DEFAULT_CHUNK = 4 << 20;
export const BYTES_IN_FLIGHT = 16 << 20;
export const WRITE_BYTES_IN_FLIGHT = 32 << 20;
const MAX_WINDOW = 64;

/** What a destination must have taken before pipeTo deepens its read-ahead (see there): more than socket buffers hold. */
const RAMP_BYTES = 8 << 20;

function windowFor(chunk: number, requested: number | undefined, inFlight = BYTES_IN_FLIGHT): number {
  return Math.max(1, requested ?? Math.min(MAX_WINDOW, Math.ceil(inFlight / chunk)));
}

export function createRequestFor(path: string, o: OpenOptions): { command: number; body: Buffer; subject: string } {
  return {
    command: Command.CREATE,
    body: encodeCreateRequest({
      path,
      desiredAccess: o.desiredAccess,
      shareAccess: o.shareAccess ?? ShareAccess.ALL,
      disposition: o.disposition,
      options: o.createOptions ?? 0,
      fileAttributes: o.fileAttributes ?? 0,
    }),
    subject: path === '' ? '\\' : path,
  };
}

export async function openFile(tree: Tree, path: string, o: OpenOptions): Promise<SmbFile> {
  const res = await tree.request(createRequestFor(path, o));
  return new SmbFile(tree, path, decodeCreateResponse(res.msg));
}

/** An open handle. Offsets are 64-bit on the wire; numbers stay exact up to 8 PiB. */
export class SmbFile {
  readonly tree: Tree;
  readonly path: string;
  readonly fileId: Buffer;
  readonly info: CreateResponse;
  private closing: Promise<CloseResponse | undefined> | undefined;

  constructor(tree: Tree, path: string, info: CreateResponse) {
    this.tree = tree;
    this.path = path;
    this.fileId = info.fileId;
    this.info = info;
  }

  get size(): number {
    return Number(this.info.endOfFile);
  }
  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Returns a view into the received frame; empty at end of file. With `into` (at least
   * length + READ_FRAME_OVERHEAD bytes), a large response is read straight into that buffer, so the result
   * is a view of it (unless the server sent an unexpectedly large frame, which gets a buffer of its own).
   */
  async read(offset: number, length: number, options: { into?: Buffer; signal?: AbortSignal } = {}): Promise<Buffer> {
    const res = await this.tree.request({
      command: Command.READ,
      body: encodeReadRequest({ fileId: this.fileId, offset, length }),
      responseSize: length,
      acceptStatus: [NtStatus.END_OF_FILE],
      subject: this.path,
      ...(options.into === undefined ? {} : { receiveInto: options.into }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (res.header.status === NtStatus.END_OF_FILE) return Buffer.alloc(0);
    const { data } = decodeReadResponse(res.msg);
    if (data.length > length) throw new SmbProtocolError(`READ returned ${data.length} bytes for ${length} requested`);
    return data;
  }

  /**
   * Writes `parts` contiguously at `offset`. They are sent as they are, not copied: leave them untouched
   * until the promise resolves (the server has then received them, so they can be refilled). If it
   * rejects, the socket may still hold them queued: do not reuse them for other data.
   */
  async write(parts: readonly Buffer[], offset: number, options: { signal?: AbortSignal } = {}): Promise<number> {
    let length = 0;
    for (const p of parts) length += p.length;
    const res = await this.tree.request({
      command: Command.WRITE,
      body: encodeWriteRequestHead(this.fileId, offset, length),
      payload: parts,
      subject: this.path,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return decodeWriteResponse(res.msg).count;
  }

  /**
   * Takes a byte-range lock, as another program (Word, a database) would. It fails at once with SmbLockedError
   * when the range is held, rather than waiting: nothing in Portcullis should queue behind someone's lock.
   */
  async lock(offset: number, length: number, mode: 'shared' | 'exclusive' = 'exclusive'): Promise<void> {
    const flags = (mode === 'shared' ? LockFlag.SHARED : LockFlag.EXCLUSIVE) | LockFlag.FAIL_IMMEDIATELY;
    await this.lockRequest(offset, length, flags);
  }

  async unlock(offset: number, length: number): Promise<void> {
    await this.lockRequest(offset, length, LockFlag.UNLOCK);
  }

  private async lockRequest(offset: number, length: number, flags: number): Promise<void> {
    const res = await this.tree.request({ command: Command.LOCK, body: encodeLockRequest(this.fileId, [{ offset, length, flags }]), subject: this.path });
    decodeLockResponse(res.msg);
  }

  async flush(): Promise<void> {
    await this.tree.request({ command: Command.FLUSH, body: encodeFlushRequest(this.fileId), subject: this.path });
  }

  async queryInfo(infoType: number, infoClass: number, outputBufferLength = 4096): Promise<Buffer> {
    const res = await this.tree.request({
      command: Command.QUERY_INFO,
      body: encodeQueryInfoRequest({ fileId: this.fileId, infoType, infoClass, outputBufferLength }),
      responseSize: outputBufferLength,
      subject: this.path,
    });
    return Buffer.from(decodeOutputBuffer(res.msg, 'QUERY_INFO'));
  }

  async setInfo(infoClass: number, data: Buffer, infoType: number = InfoType.FILE): Promise<void> {
    await this.tree.request({
      command: Command.SET_INFO,
      body: encodeSetInfoRequest({ fileId: this.fileId, infoType, infoClass, data }),
      subject: this.path,
    });
  }

  async ioctl(ctlCode: number, input: Buffer, maxOutputResponse: number, acceptStatus?: readonly number[]): Promise<{ status: number; output: Buffer }> {
    const res = await this.tree.request({
      command: Command.IOCTL,
      body: encodeIoctlRequest({ ctlCode, fileId: this.fileId, input, maxOutputResponse }),
      responseSize: Math.max(input.length, maxOutputResponse),
      subject: this.path,
      ...(acceptStatus === undefined ? {} : { acceptStatus }),
    });
    return { status: res.header.status, output: Buffer.from(decodeIoctlResponse(res.msg).output) };
  }

  /** Idempotent; a handle on a dead connection is already gone server-side, so that is not an error. */
  close(postQuery = false): Promise<CloseResponse | undefined> {
    this.closing ??= (async () => {
      if (!this.tree.session.connection.isOpen) return undefined;
      const res = await this.tree.request({
        command: Command.CLOSE,
        body: encodeCloseRequest(this.fileId, postQuery ? CloseFlag.POSTQUERY_ATTRIB : 0),
        subject: this.path,
      });
      return decodeCloseResponse(res.msg);
    })();
    return this.closing;
  }

  createReadStream(options: ReadStreamOptions = {}): Readable {
    return new SmbReadStream(this, options);
  }

  /**
   * Copies [start, end] of the file into `writable` with up to `window` READs in flight, recycling a pool of
   * at most window + 1 receive buffers: each response is read by the socket straight into a pool buffer, its
   * data is written with write(chunk, cb), and the buffer returns to the pool when cb fires. Nothing per chunk
   * is left for the GC, so memory stays flat whatever the file size. Writes happen in offset order.
   *
   * The pool starts at two buffers (one being written, one being read) and grows only while `writable` waits
   * for us (a READ arrives with nothing of ours still being written) after it has taken RAMP_BYTES: the first
   * megabytes vanish into the kernel's socket buffers whatever the reader's speed, so they prove nothing. A
   * fast destination (a local file, a quick client) gets the whole window after RAMP_BYTES; a slow one (a phone
   * on a poor link, a paused reader) keeps the copy at two buffers however long it lasts. Every buffer handed
   * to a slow writable stays held until it is flushed: without this, 100 clients reading at 10 KB/s held
   * 10.6 MB each in the web app (window 4 × 2 MiB, five buffers), 8.4 MB with growth from the first byte.
   *
   * Resolves once every write has called back; the caller ends the writable. Rejects on the first SMB,
   * write or abort error after cancelling the READs still in flight (and waiting for them), and never ends
   * the writable, so a short copy cannot look complete. The handle stays open: closing it is the caller's.
   */
  async pipeTo(writable: Writable, options: PipeOptions = {}): Promise<{ bytes: number }> {
    options.signal?.throwIfAborted();
    const maxRead = this.tree.session.connection.maxReadSize;
    const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, maxRead));
    const window = windowFor(chunk, options.window);
    const start = options.start ?? 0;
    const endExclusive = options.end === undefined ? Infinity : options.end + 1;
    let limit = Math.min(endExclusive, this.size);
    const bufferSize = chunk + READ_FRAME_OVERHEAD;

    const free: Buffer[] = [];
    let created = 0;
    /** Buffers this copy may make: grows by one whenever the destination is waiting for us (see above). */
    let allowed = Math.min(2, window + 1);
    /** Bytes the destination has taken (write callbacks). */
    let taken = 0;
    const queue: { length: number; buffer: Buffer; promise: Promise<Buffer> }[] = [];
    const cancel = new AbortController();
    let failure: Error | undefined;
    let writing = 0;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fail = (err: unknown): void => {
      failure ??= err instanceof Error ? err : new SmbError(NtStatus.UNSUCCESSFUL, String(err));
      cancel.abort(failure);
      notify();
    };
    const onAbort = (): void => fail(options.signal?.reason ?? new Error('aborted'));
    const onClose = (): void => fail(new SmbError(NtStatus.UNSUCCESSFUL, `the destination closed before ${this.path} was copied`));
    const onError = (err: Error): void => fail(err);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    writable.once('close', onClose);
    writable.once('error', onError);

    let next = start;
    let bytes = 0;
    try {
      for (;;) {
        // Issue READs while the window has room and a buffer is free (or may still be made).
        while (failure === undefined && queue.length < window && next < limit && (free.length > 0 || created < allowed)) {
          const buffer = free.pop() ?? (created++, takeBuffer(bufferSize));
          const length = Math.min(chunk, limit - next);
          const promise = this.read(next, length, { into: buffer, signal: cancel.signal });
          promise.catch(() => undefined); // Seen when it reaches the head; until then it must not be unhandled.
          queue.push({ length, buffer, promise });
          next += length;
        }
        if (failure !== undefined) throw failure;
        const head = queue.shift();
        if (head === undefined) {
          if (next >= limit) break;
          // Every buffer is still being written out; wait for one to come back.
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        const data = await head.promise;
        if (failure !== undefined) throw failure;
        if (data.length < head.length) {
          // The file shrank under us: stop at its real end; later READs only find END_OF_FILE.
          limit = next = 0;
        }
        if (data.length === 0) {
          free.push(head.buffer);
          continue;
        }
        bytes += data.length;
        if (writing === 0 && allowed < window + 1 && taken >= RAMP_BYTES) allowed++;
        writing++;
        const buffer = head.buffer;
        const length = data.length;
        writable.write(data, (err?: Error | null) => {
          writing--;
          if (err !== undefined && err !== null) fail(err);
          else {
            taken += length;
            free.push(buffer);
          }
          notify();
        });
      }
      while (writing > 0 && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== undefined) throw failure;
      giveBack(free);
      return { bytes };
    } catch (err) {
      fail(err);
      // Let cancelled READs settle so nothing is left in flight on the handle the caller will close.
      await Promise.allSettled(queue.map((q) => q.promise));
      throw failure ?? err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      writable.removeListener('close', onClose);
      writable.removeListener('error', onError);
    }
  }

  /**
   * Writes everything `source` yields at `options.offset` (default 0), with `window` WRITEs in flight.
   *
   * Data goes through a pool of window + 1 buffers of chunkSize. Each goes out as the WRITE's payload
   * without a copy and is refilled once the server has answered that WRITE, so nothing per chunk is left
   * for the GC and memory stays flat whatever the size.
   * - `{ fd }`: a local file descriptor we read ourselves straight into those buffers (from `start`, or
   *   from its current position when `start` is not given, so pipes work too).
   * - A Readable (or any async iterable of Buffers): its chunks are copied into them and let go at once.
   *
   * With `size`, exactly that many bytes must arrive (an fd is read no further); anything else rejects.
   * Rejects on the first SMB, source or abort error after cancelling the WRITEs in flight and waiting for
   * them. The handle stays open: closing it (and removing a partial file) is the caller's.
   */
  async pipeFrom(source: UploadSource, options: PipeFromOptions = {}): Promise<{ bytes: number }> {
    options.signal?.throwIfAborted();
    const maxWrite = this.tree.session.connection.maxWriteSize;
    const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, maxWrite));
    const window = windowFor(chunk, options.window, WRITE_BYTES_IN_FLIGHT);
    const size = options.size;
    const cancel = new AbortController();
    let failure: Error | undefined;
    let inflight = 0;
    const settling = new Set<Promise<unknown>>();
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const sleep = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
    // Ends the current wait on the source at the first failure, so an abort does not wait for a chunk that
    // may never come (a pipe left open). One fresh promise per chunk: racing every chunk against one
    // long-lived promise would pile a reaction per chunk onto it, each holding that chunk (RSS grew by the
    // upload's size).
    let interrupt: (() => void) | undefined;
    const fail = (err: unknown): void => {
      failure ??= err instanceof Error ? err : new SmbError(NtStatus.UNSUCCESSFUL, String(err));
      cancel.abort(failure);
      notify();
      interrupt?.();
    };
    const onAbort = (): void => fail(options.signal?.reason ?? new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let offset = options.offset ?? 0;
    let bytes = 0;
    /** Sends `parts` at the next offset; `done` runs when the server has them (the buffers are free). */
    const issue = (parts: Buffer[], length: number, done?: () => void): void => {
      const at = offset;
      offset += length;
      inflight++;
      const op = this.write(parts, at, { signal: cancel.signal }).then(
        (count) => {
          if (count !== length) throw new SmbProtocolError(`short write at ${at}: ${count} of ${length} bytes`);
          bytes += count;
          done?.();
        },
      ).catch(fail).finally(() => {
        inflight--;
        settling.delete(op);
        notify();
      });
      settling.add(op);
    };
    const room = async (): Promise<void> => {
      while (inflight >= window && failure === undefined) await sleep();
      if (failure !== undefined) throw failure;
    };

    // The pool: a buffer returns to `free` once the server has answered its WRITE.
    const free: Buffer[] = [];
    let created = 0;
    const take = async (): Promise<Buffer> => {
      await room();
      while (free.length === 0 && created >= window + 1 && failure === undefined) await sleep();
      if (failure !== undefined) throw failure;
      return free.pop() ?? (created++, takeBuffer(chunk));
    };
    const send = (buffer: Buffer, filled: number): void => issue([buffer.subarray(0, filled)], filled, () => free.push(buffer));

    try {
      if (isFdSource(source)) {
        let position: number | null = source.start ?? null;
        let sent = 0;
        let eof = false;
        while (!eof && (size === undefined || sent < size)) {
          const buffer = await take();
          const want = size === undefined ? chunk : Math.min(chunk, size - sent);
          let filled = 0;
          while (filled < want) {
            const n = await readFd(source.fd, buffer, filled, want - filled, position);
            if (failure !== undefined) throw failure;
            if (n === 0) {
              eof = true;
              break;
            }
            filled += n;
            if (position !== null) position += n;
          }
          if (filled === 0) {
            free.push(buffer);
            break;
          }
          sent += filled;
          send(buffer, filled);
        }
        if (size !== undefined && sent < size) throw new SmbProtocolError(`the source ended after ${sent} of ${size} bytes`);
      } else {
        // Copied, not sent as views: a chunk kept until its WRITE is answered outlives two scavenges, so
        // the GC would free them only in full collections (one every ~45 ms during an HTTP upload, most of
        // the app's CPU). The copy costs less and the source's chunks die young.
        let buffer: Buffer | undefined;
        let filled = 0;
        let seen = 0;
        const items = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        let drained = false;
        try {
          for (;;) {
            // Raced with a failure: an abort must not wait for the source's next chunk, which may never come.
            const step = await new Promise<IteratorResult<unknown>>((resolve, reject) => {
              interrupt = () => resolve({ done: true, value: undefined });
              items.next().then(resolve, reject);
            });
            interrupt = undefined;
            if (failure !== undefined) throw failure;
            if (step.done === true) {
              drained = true;
              break;
            }
            const data = toBuffer(step.value);
            seen += data.length;
            if (size !== undefined && seen > size) throw new SmbProtocolError(`the source yielded more than the ${size} bytes announced`);
            for (let at = 0; at < data.length; ) {
              buffer ??= await take();
              const n = data.copy(buffer, filled, at, Math.min(data.length, at + chunk - filled));
              filled += n;
              at += n;
              if (filled === chunk) {
                send(buffer, filled);
                buffer = undefined;
                filled = 0;
              }
            }
          }
        } finally {
          // As a for-await loop does when it stops early, the source is told. A stream is destroyed directly:
          // its iterator's return() would queue behind the pending next() and wait for a chunk that may never
          // come (a pipe left open), keeping the process alive.
          if (!drained) {
            if (source instanceof Readable) source.destroy();
            else void Promise.resolve(items.return?.()).catch(() => undefined);
          }
        }
        if (failure !== undefined) throw failure;
        if (buffer !== undefined && filled > 0) send(buffer, filled);
        if (size !== undefined && seen < size) throw new SmbProtocolError(`the source ended after ${seen} of ${size} bytes`);
      }
      while (inflight > 0 && failure === undefined) await sleep();
      if (failure !== undefined) throw failure;
      giveBack(free);
      return { bytes };
    } catch (err) {
      fail(err);
      // Let cancelled WRITEs settle so nothing is left in flight on the handle the caller will close.
      await Promise.allSettled([...settling]);
      throw failure ?? err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  createWriteStream(options: WriteStreamOptions = {}): Writable {
    return new SmbWriteStream(this, options);
  }
}

/** Streams can be made before the file is open; they open it in _construct so errors reach the stream. */
export type FileSource = SmbFile | (() => Promise<SmbFile>);

function resolveSource(source: FileSource): Promise<SmbFile> {
  return source instanceof SmbFile ? Promise.resolve(source) : source();
}

export function createReadStreamFrom(source: FileSource, options: ReadStreamOptions = {}): Readable {
  return new SmbReadStream(source, options);
}

export function createWriteStreamFrom(source: FileSource, options: WriteStreamOptions = {}): Writable {
  return new SmbWriteStream(source, options);
}

/** A local file descriptor we read ourselves; `start` defaults to its current position. */
export interface FdSource {
  fd: number;
  start?: number;
}

export type UploadSource = FdSource | Readable | AsyncIterable<Buffer | Uint8Array | string>;

export interface PipeFromOptions {
  /** Where in the SMB file the data goes (default 0). */
  offset?: number;
  /** Exactly this many bytes must come from the source; an fd is read no further. */
  size?: number;
  signal?: AbortSignal;
  chunkSize?: number;
  /** WRITEs kept in flight; an fd source recycles window + 1 buffers of chunkSize. */
  window?: number;
}

function isFdSource(source: UploadSource): source is FdSource {
  return typeof (source as Partial<FdSource>).fd === 'number' && !(Symbol.asyncIterator in source);
}

function toBuffer(item: unknown): Buffer {
  if (Buffer.isBuffer(item)) return item;
  if (item instanceof Uint8Array) return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
  if (typeof item === 'string') return Buffer.from(item);
  throw new TypeError(`upload source yielded ${typeof item}, not bytes`);
}

function readFd(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): Promise<number> {
  return new Promise((resolve, reject) => {
    fsRead(fd, buffer, offset, length, position, (err, n) => (err === null ? resolve(n) : reject(err)));
  });
}

/** Room in a recycled READ buffer for the SMB2 header (64), READ response (16) and any data padding. */
export const READ_FRAME_OVERHEAD = 512;

export interface PipeOptions {
  /** First byte to copy (inclusive). */
  start?: number;
  /** Last byte to copy (inclusive), as in fs.createReadStream. */
  end?: number;
  signal?: AbortSignal;
  chunkSize?: number;
  /** READs kept in flight; window + 1 buffers of chunkSize are recycled. */
  window?: number;
}

export interface ReadStreamOptions {
  /** First byte to read (inclusive). */
  start?: number;
  /** Last byte to read (inclusive), as in fs.createReadStream. */
  end?: number;
  chunkSize?: number;
  /** Requests kept in flight. */
  window?: number;
  /** Close the handle when the stream ends or is destroyed. */
  autoClose?: boolean;
}

/**
 * Keeps up to `window` READs of `chunkSize` in flight and pushes them in order. Memory is bounded by
 * window × chunk plus the Readable's own buffer, whatever the file size.
 */
class SmbReadStream extends Readable {
  private readonly source: FileSource;
  private readonly options: ReadStreamOptions;
  private file: SmbFile | undefined;
  private chunk = DEFAULT_CHUNK;
  private window: number;
  private limit = 0;
  private readonly autoClose: boolean;
  private next: number;
  private readonly inflight: { promise: Promise<Buffer>; length: number }[] = [];
  private pumping = false;
  private eof = false;

  constructor(source: FileSource, o: ReadStreamOptions) {
    super({ highWaterMark: 1 << 20 });
    this.source = source;
    this.options = o;
    this.window = 1;
    this.next = o.start ?? 0;
    this.autoClose = o.autoClose ?? true;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    resolveSource(this.source).then((file) => {
      this.file = file;
      const maxRead = file.tree.session.connection.maxReadSize;
      this.chunk = Math.max(1, Math.min(this.options.chunkSize ?? DEFAULT_CHUNK, maxRead));
      this.window = windowFor(this.chunk, this.options.window);
      const endExclusive = this.options.end === undefined ? Infinity : this.options.end + 1;
      this.limit = Math.min(endExclusive, file.size);
      callback();
    }, callback);
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  private fill(): void {
    const file = this.file;
    if (file === undefined) return;
    while (!this.eof && this.inflight.length < this.window && this.next < this.limit) {
      const length = Math.min(this.chunk, this.limit - this.next);
      const promise = file.read(this.next, length);
      // Failures surface when this read reaches the head; until then nobody must see an unhandled rejection.
      promise.catch(() => undefined);
      this.inflight.push({ promise, length });
      this.next += length;
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        this.fill();
        const head = this.inflight.shift();
        if (head === undefined) {
          this.push(null);
          return;
        }
        const data = await head.promise;
        if (this.destroyed) return;
        if (data.length < head.length) {
          // A short read means the file shrank under us; stop at the real end.
          this.eof = true;
          this.inflight.length = 0;
        }
        if (data.length > 0 && !this.push(data)) return;
      }
    } catch (err) {
      this.destroy(err instanceof Error ? err : new SmbError(NtStatus.UNSUCCESSFUL, String(err)));
    } finally {
      this.pumping = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inflight.length = 0;
    if (!this.autoClose || this.file === undefined) {
      callback(error);
      return;
    }
    this.file.close().then(
      () => callback(error),
      (closeErr: unknown) => callback(error ?? (closeErr instanceof Error ? closeErr : null)),
    );
  }
}

export interface WriteStreamOptions {
  start?: number;
  /** Start at the end of the file as it was when opened (ignored when `start` is given). */
  append?: boolean;
  chunkSize?: number;
  window?: number;
  autoClose?: boolean;
}

/**
 * Gathers incoming chunks (without concatenating them) into WRITE requests of `chunkSize`, with at most
 * `window` in flight; the write callback is held back while the window is full, which is our backpressure.
 */
class SmbWriteStream extends Writable {
  private readonly source: FileSource;
  private readonly options: WriteStreamOptions;
  private file: SmbFile | undefined;
  private chunk = DEFAULT_CHUNK;
  private window: number;
  private readonly autoClose: boolean;
  private offset: number;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  bytesWritten = 0;

  constructor(source: FileSource, o: WriteStreamOptions) {
    super({ highWaterMark: 1 << 20, decodeStrings: true });
    this.source = source;
    this.options = o;
    this.window = 1;
    this.offset = o.start ?? 0;
    this.autoClose = o.autoClose ?? true;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    resolveSource(this.source).then((file) => {
      this.file = file;
      const maxWrite = file.tree.session.connection.maxWriteSize;
      this.chunk = Math.max(1, Math.min(this.options.chunkSize ?? DEFAULT_CHUNK, maxWrite));
      this.window = windowFor(this.chunk, this.options.window, WRITE_BYTES_IN_FLIGHT);
      if (this.options.start === undefined && this.options.append === true) this.offset = file.size;
      callback();
    }, callback);
  }

  private requireFile(): SmbFile {
    if (this.file === undefined) throw new SmbProtocolError('write stream used before its file was opened');
    return this.file;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.accept(chunk);
    this.drainFull().then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    for (const c of chunks) this.accept(c.chunk);
    this.drainFull().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      if (this.partsBytes > 0) await this.issue(this.takeParts(this.partsBytes));
      await this.waitAll();
      if (this.autoClose) await this.requireFile().close();
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.parts = [];
    if (!this.autoClose || this.file === undefined) {
      callback(error);
      return;
    }
    this.file.close().then(
      () => callback(error),
      (closeErr: unknown) => callback(error ?? (closeErr instanceof Error ? closeErr : null)),
    );
  }

  private accept(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
  }

  private async drainFull(): Promise<void> {
    while (this.partsBytes >= this.chunk) await this.issue(this.takeParts(this.chunk));
    if (this.failure !== undefined) throw this.failure;
  }

  /** Removes exactly `n` bytes from the front of the queue, splitting a chunk by view if needed. */
  private takeParts(n: number): Buffer[] {
    const out: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.parts[0] as Buffer;
      if (head.length <= need) {
        out.push(head);
        this.parts.shift();
        need -= head.length;
      } else {
        out.push(head.subarray(0, need));
        this.parts[0] = head.subarray(need);
        need = 0;
      }
    }
    this.partsBytes -= n;
    return out;
  }

  private async issue(parts: Buffer[]): Promise<void> {
    while (this.inflight.size >= this.window && this.failure === undefined) await this.waitOne();
    if (this.failure !== undefined) throw this.failure;
    let length = 0;
    for (const p of parts) length += p.length;
    const at = this.offset;
    this.offset += length;
    const op = this.requireFile().write(parts, at).then(
      (count) => {
        if (count !== length) throw new SmbProtocolError(`short write at ${at}: ${count} of ${length} bytes`);
        this.bytesWritten += count;
      },
    ).catch((err: unknown) => {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    }).finally(() => {
      this.inflight.delete(op);
      const w = this.waiter;
      this.waiter = undefined;
      w?.();
    });
    this.inflight.add(op);
  }

  private waitOne(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private async waitAll(): Promise<void> {
    while (this.inflight.size > 0) await this.waitOne();
    if (this.failure !== undefined) throw this.failure;
  }
}

