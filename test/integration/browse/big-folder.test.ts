// Issue 5: the 10,000-entry "Big folder" renders fast, streamed (first rows at once), complete, and without
// blocking the server. Prints time-to-first-byte and full-page times (fetch and curl -w) beside smbclient ls.
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_FOLDER, SHARES } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { namesIn, signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';

const execFileAsync = promisify(execFile);
const PATH = `/browse/shared/${encodeURIComponent(BIG_FOLDER.path)}/`;

interface Timing {
  firstByteMs: number;
  firstChunkRows: number;
  fullMs: number;
  bytes: number;
  html: string;
}

async function timedGet(client: HttpClient, path: string): Promise<Timing> {
  const start = performance.now();
  const res = await fetch(new URL(path, client.baseUrl), { headers: { Accept: 'text/html', Cookie: client.jar.header() } });
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  const first = await reader.read();
  const firstByteMs = performance.now() - start;
  let html = decoder.decode(first.value, { stream: true });
  // The page head may come first, alone (src/web/browse/routes.ts sends it before the listing is read): the
  // first chunk that holds rows is the one that says whether the rows are streamed.
  let firstChunkRows = namesIn(html).length;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    if (firstChunkRows === 0) firstChunkRows = namesIn(text).length;
    html += text;
  }
  html += decoder.decode();
  return { firstByteMs, firstChunkRows, fullMs: performance.now() - start, bytes: Buffer.byteLength(html), html };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('the 10,000-entry folder', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startBrowseApp(domain, { logLevel: 'warn' });
    alice = await signedIn(app, 'alice');
    await timedGet(alice, PATH); // warm the SMB connection and the template cache
  });
  afterAll(async () => {
    await app?.close();
  });

  it('streams: the first rows arrive at once, all 10,000 names arrive, in natural order', async () => {
    const t = await timedGet(alice, PATH);
    const names = namesIn(t.html);
    expect(names).toHaveLength(BIG_FOLDER.entries);
    expect(new Set(names).size).toBe(BIG_FOLDER.entries);
    expect(names[0]).toBe('file-00001.txt');
    expect(names.at(-1)).toBe('file-10000.txt');
    expect(t.html.trimEnd().endsWith('</html>')).toBe(true);
    // Streamed: the first chunk with rows holds some, not all of them. Speed is the benchmark's business
    // (`npm run bench -- http`), not a test's: a busy first run on a fresh machine must still pass.
    expect(t.firstChunkRows).toBeGreaterThan(0);
    expect(t.firstChunkRows).toBeLessThan(BIG_FOLDER.entries);
    console.log(`[big folder] first byte ${t.firstByteMs.toFixed(0)} ms, full page ${t.fullMs.toFixed(0)} ms`);
  });

  it('does not block the server while it renders (event-loop delay, a concurrent small request)', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const big = timedGet(alice, PATH);
    const probes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const r = await fetch(new URL('/healthz', app.url));
      await r.arrayBuffer();
      probes.push(performance.now() - s);
    }
    const t = await big;
    delay.disable();
    const maxDelayMs = delay.max / 1e6;
    console.log(`[big folder] while streaming: event-loop delay max ${maxDelayMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; /healthz ${probes.map((p) => p.toFixed(1)).join(', ')} ms; page ${t.fullMs.toFixed(0)} ms`);
    expect(namesIn(t.html)).toHaveLength(BIG_FOLDER.entries);
    // The test process is also the client here, reading and parsing 4+ MB, on a machine that may be busy: the
    // bound only catches a synchronous render of all 10,000 rows in one go, which holds every probe for the
    // whole page.
    expect(Math.max(...probes)).toBeLessThan(Math.max(2000, t.fullMs / 2));
  });

  it('measures TTFB and the full page (fetch and curl -w, 5 runs each) beside smbclient ls', async () => {
    const runs: Timing[] = [];
    for (let i = 0; i < 5; i++) runs.push(await timedGet(alice, PATH));
    const curl: { ttfb: number; total: number; size: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const { stdout } = await execFileAsync('curl', ['-s', '-o', '/dev/null', '-H', `Cookie: ${alice.jar.header()}`, '-w', '%{http_code} %{time_starttransfer} %{time_total} %{size_download}', `${app.url}${PATH}`]);
      const [code, ttfb, total, size] = stdout.trim().split(' ');
      expect(code).toBe('200');
      curl.push({ ttfb: Number(ttfb) * 1000, total: Number(total) * 1000, size: Number(size) });
    }
    const smb: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await execFileAsync('smbclient', [`//${domain.ip}/${SHARES.shared}`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-c', `cd "${BIG_FOLDER.path}"; ls`], { maxBuffer: 64 << 20 });
      smb.push(performance.now() - s);
    }
    const line = [
      `[big folder] fetch: TTFB median ${median(runs.map((r) => r.firstByteMs)).toFixed(0)} ms, full page median ${median(runs.map((r) => r.fullMs)).toFixed(0)} ms, ${(runs[0]?.bytes ?? 0) / 1e6} MB, first chunk ${runs[0]?.firstChunkRows} rows`,
      `[big folder] curl -w: time_starttransfer median ${median(curl.map((c) => c.ttfb)).toFixed(0)} ms, time_total median ${median(curl.map((c) => c.total)).toFixed(0)} ms (runs: ${curl.map((c) => `${c.ttfb.toFixed(0)}/${c.total.toFixed(0)}`).join(', ')})`,
      `[big folder] smbclient ls (process incl. connect + auth): median ${median(smb).toFixed(0)} ms`,
    ].join('\n');
    console.log(line);
    expect(new Set(curl.map((c) => c.size)).size).toBe(1);
  });
});
