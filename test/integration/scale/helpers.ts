import type { IncomingMessage } from 'node:http';
import type { TlsHttpClient } from '../../helpers/tls-client.js';

export interface DownloadResult {
  status: number;
  /** The Content-Length the reply announced (-1 if none). */
  contentLength: number;
  received: number;
  /** 'end' only when the body arrived complete; 'aborted' or 'error' when the connection was cut. */
  ending: 'end' | 'aborted' | 'error';
}

export interface Download {
  /** Resolves once at least `bytes` have arrived; the body is then paused (the sender is held back by TCP). */
  received(bytes: number): Promise<void>;
  /** Reads the rest and reports how the body ended. */
  finish(): Promise<DownloadResult>;
}

/** A GET whose body the test reads in two steps, to act while the transfer is under way. */
export function startDownload(client: TlsHttpClient, path: string): Download {
  const cookie = client.jar.header();
  const req = client.open('GET', path, cookie ? { Cookie: cookie } : {});
  let res: IncomingMessage | undefined;
  let got = 0;
  let want = Infinity;
  let reached: (() => void) | undefined;
  let ended: ((r: DownloadResult) => void) | undefined;
  let result: DownloadResult | undefined;
  let failure: Error | undefined;
  const settle = (ending: DownloadResult['ending']): void => {
    if (result) return;
    result = { status: res?.statusCode ?? 0, contentLength: Number(res?.headers['content-length'] ?? -1), received: got, ending };
    ended?.(result);
    reached?.();
  };
  req.on('response', (r) => {
    res = r;
    r.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= want) {
        want = Infinity;
        r.pause();
        reached?.();
      }
    });
    r.on('end', () => settle(r.complete ? 'end' : 'aborted'));
    r.on('aborted', () => settle('aborted'));
    r.on('error', () => settle('error'));
    r.on('close', () => settle(r.complete ? 'end' : 'aborted'));
  });
  req.on('error', (err) => {
    failure = err;
    if (res) settle('error');
    reached?.();
    ended?.({ status: 0, contentLength: -1, received: got, ending: 'error' });
  });
  req.end();
  return {
    received: (bytes) =>
      new Promise<void>((resolve, reject) => {
        reached = () => (failure && !res ? reject(failure) : result ? reject(new Error(`the download ended (${result.ending}) after ${got} bytes`)) : resolve());
        want = bytes;
        if (got >= bytes) {
          want = Infinity;
          res?.pause();
          resolve();
        }
      }),
    finish: () =>
      new Promise<DownloadResult>((resolve) => {
        if (result) return resolve(result);
        ended = resolve;
        res?.resume();
      }),
  };
}
