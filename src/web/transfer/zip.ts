/**
 * A folder, or a selection of entries in one folder, as one streamed zip.
 *
 * 1. Walk first (src/files/zip-walk.ts: each folder’s entries as they arrive, recursively) and count: over ZIP_MAX_ENTRIES or
 *    ZIP_MAX_BYTES is a 413 with a clear message before any header is sent, and the walk stops reading at that
 *    entry, however large the folder; access-denied and not-found subfolders are 403/404 likewise.
 * 2. Then stream: one SMB read stream at a time into zip-stream, whose output is piped to the response with
 *    backpressure, so memory stays at one read window plus zlib's state whatever the total.
 * - Zip64 is forced when the total could pass 4 GiB or 65,535 entries (known from the walk), so even the
 *   local headers of big entries are right; below that the archive is plain zip for old unzippers.
 * - Names are UTF-8 (general purpose bit 11, set by compress-commons for non-ASCII names).
 * - Already-compressed formats are stored; text-like ones are deflated (level 6).
 * - A failure midway destroys the response: the client sees a broken download, never a short valid zip.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import mime from 'mime-types';
import ZipStream from 'zip-stream';
import type { DriveSession, ZipItem } from '../../files/index.js';

const ZIP32_LIMIT = 0xffff_fff0;

const STORE_BY_EXTENSION = new Set(['zip', '7z', 'rar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'pdf']);

/** Deflate only what deflate helps: text-like types. Media and archives are stored, which costs no CPU. */
export function worthCompressing(name: string): boolean {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (STORE_BY_EXTENSION.has(ext)) return false;
  const type = mime.lookup(name);
  if (type === false) return false;
  return type.startsWith('text/') || /(json|xml|javascript|rtf|msword|ms-excel|ms-powerpoint|x-tar|image\/(bmp|tiff|svg)|audio\/(wav|x-wav))/.test(type);
}

function addEntry(zip: ZipStream, source: Readable | null, data: ZipStream.EntryData): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    source?.once('error', onError);
    zip.entry(source, data, (err) => {
      source?.off('error', onError);
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * Streams the items as a zip into `res` (headers already set). Resolves when the last byte is written;
 * rejects (with the response destroyed) when a read fails or the client goes away.
 */
export async function streamZip(share: DriveSession, items: ZipItem[], res: Response): Promise<void> {
  const total = items.reduce((n, i) => n + i.size, 0);
  const zip = new ZipStream({ forceZip64: total + items.length * 1024 > ZIP32_LIMIT || items.length > 0xfffe, zlib: { level: 6 } });
  // If the response fails first (client gone, socket error), stop feeding entries at once.
  let failure: unknown;
  let abort: (err: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_resolve, reject) => (abort = reject));
  aborted.catch(() => undefined);
  const piping = pipeline(zip, res).catch((err: unknown) => {
    failure ??= err;
    abort(err);
  });
  try {
    for (const item of items) {
      if (failure !== undefined) break;
      const data: ZipStream.EntryData = { name: item.name, date: item.mtime, store: item.type === 'dir' || !worthCompressing(item.name) };
      if (item.type === 'dir') {
        await addEntry(zip, null, { ...data, type: 'directory' });
      } else {
        const source = share.readStream(item.path);
        try {
          await Promise.race([addEntry(zip, source, data), aborted]);
        } finally {
          source.destroy();
        }
      }
    }
    if (failure === undefined) zip.finalize();
  } catch (err) {
    failure ??= err;
    zip.destroy(err instanceof Error ? err : new Error(String(err)));
    res.destroy();
  }
  await piping;
  if (failure !== undefined) throw failure;
}
