/**
 * A named pipe on the IPC$ tree, in message mode: CREATE, then FSCTL_PIPE_TRANSCEIVE (a write and a read in
 * one IOCTL) and READ for what did not fit. STATUS_BUFFER_OVERFLOW on either means "this message goes on":
 * the rest comes with the next READ.
 */
import { Access, Command, CreateDisposition, ShareAccess } from '../messages/constants.js';
import { decodeCreateResponse, encodeCreateRequest } from '../messages/create.js';
import { encodeCloseRequest } from '../messages/close.js';
import { decodeIoctlResponse, encodeIoctlRequest } from '../messages/ioctl.js';
import { decodeReadResponse, decodeWriteResponse, encodeReadRequest, encodeWriteRequestHead } from '../messages/read-write.js';
import { NtStatus } from '../messages/ntstatus.js';
import type { Tree } from '../tree.js';

export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;

export interface PipeChunk {
  data: Buffer;
  /** STATUS_BUFFER_OVERFLOW: the pipe message continues beyond these bytes. */
  more: boolean;
}

export class NamedPipe {
  private closed = false;

  private constructor(
    private readonly tree: Tree,
    readonly name: string,
    private readonly fileId: Buffer,
  ) {}

  static async open(tree: Tree, name: string): Promise<NamedPipe> {
    const res = await tree.request({
      command: Command.CREATE,
      body: encodeCreateRequest({
        path: name,
        desiredAccess: Access.FILE_READ_DATA | Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA | Access.FILE_READ_EA | Access.FILE_WRITE_EA | Access.FILE_READ_ATTRIBUTES | Access.FILE_WRITE_ATTRIBUTES | Access.READ_CONTROL | Access.SYNCHRONIZE,
        shareAccess: ShareAccess.READ | ShareAccess.WRITE,
        disposition: CreateDisposition.OPEN,
        options: 0,
      }),
      subject: name,
    });
    return new NamedPipe(tree, name, decodeCreateResponse(res.msg).fileId);
  }

  /** Writes `input` as one message and reads the answer, up to `maxOutput` bytes of it. */
  async transceive(input: Buffer, maxOutput: number): Promise<PipeChunk> {
    const res = await this.tree.request({
      command: Command.IOCTL,
      body: encodeIoctlRequest({ ctlCode: FSCTL_PIPE_TRANSCEIVE, fileId: this.fileId, input, maxOutputResponse: maxOutput }),
      responseSize: Math.max(input.length, maxOutput),
      acceptStatus: [NtStatus.BUFFER_OVERFLOW],
      subject: this.name,
    });
    return { data: Buffer.from(decodeIoctlResponse(res.msg).output), more: res.header.status === NtStatus.BUFFER_OVERFLOW };
  }

  async write(data: Buffer): Promise<void> {
    const res = await this.tree.request({ command: Command.WRITE, body: encodeWriteRequestHead(this.fileId, 0, data.length), payload: [data], subject: this.name });
    const { count } = decodeWriteResponse(res.msg);
    if (count !== data.length) throw new RangeError(`pipe took ${count} of ${data.length} bytes`);
  }

  async read(length: number): Promise<PipeChunk> {
    const res = await this.tree.request({
      command: Command.READ,
      body: encodeReadRequest({ fileId: this.fileId, offset: 0, length }),
      responseSize: length,
      acceptStatus: [NtStatus.BUFFER_OVERFLOW],
      subject: this.name,
    });
    return { data: Buffer.from(decodeReadResponse(res.msg).data), more: res.header.status === NtStatus.BUFFER_OVERFLOW };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tree.session.connection.isOpen) await this.tree.request({ command: Command.CLOSE, body: encodeCloseRequest(this.fileId), subject: this.name });
  }
}
