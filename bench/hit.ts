// One bounded keep-alive HTTP request to the app, for the benchmarks that loop many sessions at once (load, search).
import { Agent, request } from 'node:http';

/** Each request's deadline: past it the request counts as an error (status 0), never as a hang. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** A session's loops are capped too: a server that answers instantly must not turn the run into a spin. */
export const MAX_LOOPS_PER_SECOND = 20;

export interface Hit {
  status: number;
  ms: number;
  bytes: number;
  /** Why it failed: the socket error's code, or the error page's message (digits as N, so like ones add up). */
  why?: string;
  /** The body's last bytes (up to 1 KiB): what a streamed answer ended with (search's NDJSON `end` line). */
  tail: string;
}

const TAIL_BYTES = 1024;

/** One keep-alive HTTP request; the body is read and counted, not kept (but for its tail). */
export function hit(agent: Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Hit> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      let bytes = 0;
      const status = res.statusCode ?? 0;
      let text = '';
      let tail: Buffer = Buffer.alloc(0);
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        if (status >= 400 && text.length < 16_384) text += d.toString('utf8');
        tail = d.length >= TAIL_BYTES ? d.subarray(d.length - TAIL_BYTES) : Buffer.concat([tail, d]).subarray(-TAIL_BYTES);
      });
      res.on('end', () => {
        const message = /<p class="lead">([^<]*)<\/p>|"message":"([^"]*)"/.exec(text);
        const why = message ? (message[1] ?? message[2] ?? '').trim().replace(/\d+/g, 'N') : undefined;
        resolve({ status, ms: performance.now() - started, bytes, tail: tail.toString('utf8'), ...(why ? { why } : {}) });
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - started, bytes, tail: '', why: err.code ?? err.name }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - started, bytes: 0, tail: '', why: err.code ?? err.name }));
    req.end(body);
  });
}
