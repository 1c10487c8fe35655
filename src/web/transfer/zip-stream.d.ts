// zip-stream ships no types; just what src/web/transfer/zip.ts uses (zip-stream 7, compress-commons 6).
declare module 'zip-stream' {
  import { Transform, type Readable } from 'node:stream';

  namespace ZipStream {
    interface Options {
      comment?: string;
      forceLocalTime?: boolean;
      forceZip64?: boolean;
      store?: boolean;
      zlib?: { level?: number };
    }
    interface EntryData {
      name: string;
      date?: Date;
      mode?: number;
      store?: boolean;
      type?: 'file' | 'directory';
    }
  }

  class ZipStream extends Transform {
    constructor(options?: ZipStream.Options);
    entry(source: Readable | Buffer | string | null, data: ZipStream.EntryData, callback: (err: Error | null | undefined, entry?: unknown) => void): this;
    finalize(): void;
    getBytesWritten(): number;
  }

  export default ZipStream;
}
