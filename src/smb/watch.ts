import { Access, Command, CompletionFilter, CreateDisposition, CreateOption } from './messages/constants.js';
import { NotifyAction, decodeFileNotifyInformation, encodeChangeNotifyRequest } from './messages/change-notify.js';
import { decodeOutputBuffer } from './messages/query-directory.js';
import { NtStatus } from './messages/ntstatus.js';
import { SmbCancelledError, SmbError } from './errors.js';
import { openFile, type SmbFile } from './file.js';
import type { Tree } from './tree.js';

export type WatchAction = 'added' | 'removed' | 'modified' | 'renamed-from' | 'renamed-to' | 'overflow';

export interface WatchEvent {
  action: WatchAction;
  /** Relative to the watched directory, with `/` separators; "" for overflow. */
  name: string;
}

const ACTIONS: Record<number, WatchAction> = {
  [NotifyAction.ADDED]: 'added',
  [NotifyAction.REMOVED]: 'removed',
  [NotifyAction.MODIFIED]: 'modified',
  [NotifyAction.RENAMED_OLD_NAME]: 'renamed-from',
  [NotifyAction.RENAMED_NEW_NAME]: 'renamed-to',
};

const FILTER =
  CompletionFilter.FILE_NAME | CompletionFilter.DIR_NAME | CompletionFilter.ATTRIBUTES | CompletionFilter.SIZE | CompletionFilter.LAST_WRITE | CompletionFilter.CREATION;

/**
 * A CHANGE_NOTIFY loop on an open directory. Iterate it with `for await`; `close()` (or breaking out of
 * the loop) cancels the outstanding request and closes the handle.
 */
export class SmbWatcher implements AsyncIterable<WatchEvent> {
  private readonly tree: () => Promise<Tree>;
  private readonly path: string;
  private readonly recursive: boolean;
  private readonly abort = new AbortController();
  private dir: Promise<SmbFile> | undefined;
  private closed = false;

  constructor(tree: () => Promise<Tree>, path: string, recursive: boolean) {
    this.tree = tree;
    this.path = path;
    this.recursive = recursive;
  }

  /** Opens the directory now, so a bad path fails here rather than at the first iteration. */
  async ready(): Promise<this> {
    await this.open();
    return this;
  }

  private open(): Promise<SmbFile> {
    this.dir ??= this.tree().then((tree) => openFile(tree, this.path, {
      desiredAccess: Access.FILE_READ_DATA | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
      disposition: CreateDisposition.OPEN,
      createOptions: CreateOption.DIRECTORY_FILE,
    }));
    return this.dir;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    try {
      const dir = await this.open();
      while (!this.closed) {
        let output: Buffer;
        let status: number;
        try {
          const res = await dir.tree.request({
            command: Command.CHANGE_NOTIFY,
            body: encodeChangeNotifyRequest(dir.fileId, FILTER, this.recursive, 64 * 1024),
            responseSize: 64 * 1024,
            timeoutMs: null,
            signal: this.abort.signal,
            acceptStatus: [NtStatus.NOTIFY_ENUM_DIR],
            subject: this.path,
          });
          status = res.header.status;
          output = status === NtStatus.SUCCESS ? decodeOutputBuffer(res.msg, 'CHANGE_NOTIFY') : Buffer.alloc(0);
        } catch (err) {
          if (this.closed && (err instanceof SmbCancelledError || err instanceof SmbError)) return;
          throw err;
        }
        if (status === NtStatus.NOTIFY_ENUM_DIR || output.length === 0) {
          yield { action: 'overflow', name: '' };
          continue;
        }
        for (const e of decodeFileNotifyInformation(output)) {
          yield { action: ACTIONS[e.action] ?? 'modified', name: e.name.replaceAll('\\', '/') };
        }
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    const dir = this.dir;
    if (dir !== undefined) await dir.then((d) => d.close()).catch(() => undefined);
  }
}
