// Issue 11: a lecture hall connecting at once. While the app's event loop is busy it cannot accept connections;
// the kernel holds them in the listen backlog, and with Node's default (511) it dropped the rest: those browsers
// retried their handshake after 1, 3, 7, 15 and 31 s (the load benchmark's 30-40 s pages at N = 500, with
// TcpExtListenOverflows rising). Here the server process is stopped (SIGSTOP: it accepts nothing) while 800
// clients connect: every handshake must complete in the kernel's queue, and once resumed every client is answered.
import { connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/proc.js';
import { freePort, startServerProcess, tempDataDir } from '../../helpers/web-app.js';

// Over the old backlog (511), under the 1,024 descriptors a process may have by default on each side.
const CLIENTS = 800;
const dataDir = tempDataDir('portcullis-backlog-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the listen backlog', () => {
  it('holds 800 connections made while the app cannot accept, and each is then answered', async () => {
    const port = await freePort();
    const server = await startServerProcess({ NODE_ENV: 'test', SESSION_SECRET: 's'.repeat(40), HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir });
    const sockets: Socket[] = [];
    try {
      server.child.kill('SIGSTOP');
      let connected = 0;
      for (let i = 0; i < CLIENTS; i++) {
        const s = connect({ port, host: '127.0.0.1' });
        s.once('connect', () => connected++);
        s.on('error', () => undefined);
        sockets.push(s);
      }
      // The handshakes complete in the kernel while the process is stopped, or (backlog too small) not at all.
      await waitFor(`${CLIENTS} connections to complete while the app is stopped`, async () => connected === CLIENTS, 30_000);
      server.child.kill('SIGCONT');
      const answers = await Promise.all(
        sockets.map(
          (s) =>
            new Promise<string>((resolve) => {
              let text = '';
              s.setEncoding('utf8');
              s.on('data', (d: string) => {
                text += d;
                if (text.includes('\r\n\r\n')) resolve(text.split('\r\n')[0] ?? '');
              });
              s.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
              s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
            }),
        ),
      );
      expect(answers.filter((a) => a.startsWith('HTTP/1.1 200')).length).toBe(CLIENTS);
    } finally {
      server.child.kill('SIGCONT');
      for (const s of sockets) s.destroy();
      await server.stop();
    }
  }, 120_000);
});
