/**
 * DCE/RPC over an SMB named pipe: one bind, then calls. Requests go out in fragments of the negotiated size
 * (the last by transceive, so it and the first answer share a round trip); answers are put back together
 * from as many fragments, and pipe messages, as the server cut them into.
 */
import type { PipeChunk } from './named-pipe.js';
import { DEFAULT_MAX_FRAG, HEADER_SIZE, RpcProtocolError, decodeBindAck, decodeResponseFragment, encodeBind, encodeRequest, readPduHeader, type Syntax } from './pdu.js';

/** Sees every pipe message as sent and every chunk as received (tests freeze real servers' bytes with it). */
export interface RpcTrace {
  sent(bytes: Buffer): void;
  received(bytes: Buffer): void;
}

export interface RpcBindOptions {
  /** Largest fragment we accept (max_recv_frag); default 4280, as Windows and Samba use. */
  maxFrag?: number;
  /** Output buffer of each transceive and READ; default the fragment size. Smaller makes the server split messages. */
  maxOutput?: number;
  trace?: RpcTrace;
}

/** What RpcPipe needs of a named pipe (NamedPipe; unit tests replay captured bytes through their own). */
export interface MessagePipe {
  transceive(input: Buffer, maxOutput: number): Promise<PipeChunk>;
  write(data: Buffer): Promise<void>;
  read(length: number): Promise<PipeChunk>;
}

/** Far above any share list: a server that keeps sending is broken or hostile. */
const MAX_STUB = 16 << 20;

export class RpcPipe {
  private callId = 1;
  /** Received bytes not yet consumed as fragments. */
  private pending: Buffer = Buffer.alloc(0);
  /** The pipe message being read has more bytes (STATUS_BUFFER_OVERFLOW). */
  private messageGoesOn = false;

  private constructor(
    private readonly pipe: MessagePipe,
    private readonly xmitFrag: number,
    private readonly maxOutput: number,
    private readonly trace: RpcTrace | undefined,
  ) {}

  static async bind(pipe: MessagePipe, syntax: Syntax, options: RpcBindOptions = {}): Promise<RpcPipe> {
    const maxFrag = options.maxFrag ?? DEFAULT_MAX_FRAG;
    const maxOutput = options.maxOutput ?? maxFrag;
    const probe = new RpcPipe(pipe, maxFrag, maxOutput, options.trace);
    const callId = probe.callId++;
    await probe.send([encodeBind({ callId, abstract: syntax, maxXmitFrag: maxFrag, maxRecvFrag: maxFrag })]);
    const ack = decodeBindAck(await probe.nextFragment());
    const accepted = ack.results[0];
    if (accepted === undefined || accepted.result !== 0) throw new RpcProtocolError(`interface ${syntax.uuid} refused (result ${accepted?.result ?? 'none'}, reason ${accepted?.reason ?? 'none'})`);
    // We send no fragment larger than the server said it takes.
    const rpc = new RpcPipe(pipe, Math.min(maxFrag, ack.maxRecvFrag), maxOutput, options.trace);
    rpc.callId = probe.callId;
    return rpc;
  }

  /** One call: its request stub in, the response stub out (all fragments joined). */
  async call(opnum: number, stub: Buffer): Promise<Buffer> {
    const callId = this.callId++;
    if (this.pending.length > 0 || this.messageGoesOn) throw new RpcProtocolError('unread bytes left from an earlier call');
    await this.send(encodeRequest(callId, opnum, stub, this.xmitFrag));
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { stub: part, last } = decodeResponseFragment(await this.nextFragment(), callId);
      total += part.length;
      if (total > MAX_STUB) throw new RpcProtocolError('DCE/RPC response too large');
      parts.push(part);
      if (last) return Buffer.concat(parts, total);
    }
  }

  private async send(fragments: Buffer[]): Promise<void> {
    for (const [i, f] of fragments.entries()) {
      this.trace?.sent(f);
      if (i < fragments.length - 1) {
        await this.pipe.write(f);
        continue;
      }
      const chunk = await this.pipe.transceive(f, this.maxOutput);
      this.take(chunk.data, chunk.more);
    }
  }

  private take(data: Buffer, more: boolean): void {
    this.trace?.received(data);
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    this.messageGoesOn = more;
  }

  /** The next whole fragment, reading from the pipe until it is all here. */
  private async nextFragment(): Promise<Buffer> {
    for (;;) {
      if (this.pending.length >= HEADER_SIZE) {
        const { fragLength } = readPduHeader(this.pending);
        if (this.pending.length >= fragLength) {
          const fragment = this.pending.subarray(0, fragLength);
          this.pending = this.pending.subarray(fragLength);
          return fragment;
        }
      }
      const chunk = await this.pipe.read(this.maxOutput);
      if (chunk.data.length === 0) throw new RpcProtocolError('pipe returned no data inside a DCE/RPC fragment');
      this.take(chunk.data, chunk.more);
    }
  }
}
