// Live folders in tests: an event-stream client (what a browser tab's EventSource does), an SMB proxy that
// counts the CHANGE_NOTIFY requests outstanding at the file server, and smbclient as "someone else".
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import type { HttpClient } from './http-client.js';
import { startSmbProxy, type SmbProxy } from './smb-proxy.js';
import { isInterim, smb2Messages } from './smb2-wire.js';

export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** Comment lines (heartbeats) received. */
  comments: number;
  /** The server ended the stream. */
  ended: boolean;
  /** Resolves with the first event (already received or to come) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Like closing the tab: drops the connection. */
  close(): void;
}

/**
 * Opens `/live/…` with the client's cookies, as EventSource would; `via` sends it through another origin (a
 * TLS proxy in front of the app, whose certificate `ca` signs).
 */
export function openStream(client: HttpClient, path: string, via?: { origin: string; ca: string }): Promise<SseStream> {
  const url = new URL(path, via?.origin ?? client.baseUrl);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const options = { host: url.hostname, port: url.port, path: url.pathname, headers: { Accept: 'text/event-stream', Cookie: client.jar.header() }, ...(via ? { ca: via.ca } : {}) };
    const req = request(options, (res) => {
      const waiters = new Set<() => void>();
      const wake = (): void => {
        for (const w of [...waiters]) w();
      };
      let buffer = '';
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: 0,
        ended: false,
        waitFor(match, timeoutMs = 20_000) {
          return new Promise((ok, fail) => {
            const check = (): void => {
              const hit = stream.events.find(match);
              if (hit) {
                waiters.delete(check);
                clearTimeout(timer);
                ok(hit);
              } else if (stream.ended) {
                waiters.delete(check);
                clearTimeout(timer);
                fail(new Error(`stream ended without the event; got ${JSON.stringify(stream.events)}`));
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no such event in ${timeoutMs} ms; got ${JSON.stringify(stream.events)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments++;
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) stream.events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
        }
        wake();
      });
      const end = (): void => {
        stream.ended = true;
        wake();
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      resolve(stream);
    });
    req.on('error', (err) => reject(err));
    req.end();
  });
}

export interface NotifyCountingProxy extends SmbProxy {
  /** CHANGE_NOTIFY requests the server has not answered finally (interim STATUS_PENDING does not count). */
  outstanding(): number;
  /** Frames that were encrypted (unreadable, so the count would be wrong). */
  encrypted(): number;
}

const CHANGE_NOTIFY = 0x0f;

/** An SMB proxy in front of `target` that counts outstanding CHANGE_NOTIFY requests. */
export async function notifyCountingProxy(port: number, target: { host: string; port: number }): Promise<NotifyCountingProxy> {
  let sent = 0;
  let answered = 0;
  let encrypted = 0;
  const proxy = await startSmbProxy({
    port,
    target,
    rewrite: (frame, direction) => {
      const header = Buffer.alloc(4);
      header.writeUIntBE(frame.length, 1, 3);
      for (const m of smb2Messages(Buffer.concat([header, frame]))) {
        if (m.encrypted) encrypted++;
        else if (m.command === CHANGE_NOTIFY && direction === 'toServer') sent++;
        else if (m.command === CHANGE_NOTIFY && !isInterim(m)) answered++;
      }
      return frame;
    },
  });
  return { ...proxy, outstanding: () => sent - answered, encrypted: () => encrypted };
}

const run = promisify(execFile);

/** Runs smbclient commands on a share as `user`: a change made by someone other than the app. */
export async function smbclient(domain: DomainInfo, share: string, command: string, user = 'alice'): Promise<void> {
  const { stdout } = await run('smbclient', [`//${domain.ip}/${share}`, '-U', `${domain.netbiosDomain}\\${user}%${DEMO_PASSWORD}`, '-m', 'SMB3', '-c', command]);
  if (/NT_STATUS_/.test(stdout)) throw new Error(`smbclient: ${stdout.trim()}`);
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
