// `npm run bench -- search [--users 8] [--duration 20] [--port 5150]`
// Does one user's search slow other users' listings? The app as `npm start` runs it (needs `npm run build`);
// --users students each loop over their home listing and the Library listing, one request at a time, for
// --duration seconds: first alone (baseline), then while alice searches the whole Shared drive back to back
// (a query matching nothing, so every search reads all of it: its 10,000-entry folder and the rest), alternating
// (alone, searching, alone, searching, alone). Prints each phase's listing p50/p99 and requests/s, and the searches' count and duration.
// The students' listings go over their own SMB connections, the search over alice's; what they share is the
// app's event loop and the file server. BENCH_DOMAIN_IP / BENCH_DOMAIN_NAME as in the ops bench.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDomain, stopDomain } from '../test/fixtures/domain.js';
import { studentName } from '../test/fixtures/domain-data.js';
import { HttpClient, signInOk } from '../test/helpers/http-client.js';
import { startApp } from './app-proc.js';
import { percentile } from './proc-stats.js';

export const summary = "one user's search vs other users' listings: listing p50/p99 alone and during back-to-back searches";

const BENCH_IP = process.env.BENCH_DOMAIN_IP ?? '127.0.0.30';
const DOMAIN = { name: process.env.BENCH_DOMAIN_NAME ?? (BENCH_IP === '127.0.0.30' ? 'bench' : `bench-${BENCH_IP}`), ip: BENCH_IP };
const log = (line: string): void => void process.stderr.write(`bench search: ${line}\n`);

function parseOptions(args: string[]): { users: number; durationS: number; port: number } {
  const o = { users: 8, durationS: 20, port: 5150 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--users') o.users = Math.max(1, Number(args[++i]));
    else if (a === '--duration') o.durationS = Math.max(1, Number(args[++i]));
    else if (a === '--port') o.port = Number(args[++i]);
    else throw new Error(`unknown option ${a} (known: --users N, --duration S, --port N)`);
  }
  return o;
}

/** One keep-alive GET, body read and dropped: [status, ms]. */
function get(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<[number, number]> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve([res.statusCode ?? 0, performance.now() - t0]));
    });
    req.on('error', () => resolve([0, performance.now() - t0]));
    req.end();
  });
}

interface Phase {
  name: string;
  ms: number[];
  errors: number;
  searches: number[];
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = join(import.meta.dirname, '..');
  log(`starting the domain ${DOMAIN.name} on ${DOMAIN.ip}`);
  const domain = await startDomain(DOMAIN);
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-search-'));
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    app = await startApp(root, domain, { port: o.port, dataDir, username: 'alice', env: { LOGIN_MAX_PER_IP: '10000', SEARCH_MAX_SECONDS: '120' } });
    const { base, cookie: aliceCookie } = app;
    const students: string[] = [];
    for (let i = 1; i <= o.users; i++) {
      const c = new HttpClient(base);
      await signInOk(c, studentName(i), domain.password);
      students.push(c.jar.header());
    }
    const agent = new Agent({ keepAlive: true, maxSockets: o.users + 4 });

    const phase = async (name: string, withSearch: boolean): Promise<Phase> => {
      const p: Phase = { name, ms: [], errors: 0, searches: [] };
      const until = performance.now() + o.durationS * 1000;
      let searching = withSearch;
      const searcher = (async () => {
        while (searching) {
          const [status, ms] = await get(agent, o.port, '/search/shared/?q=zz-no-such-name-zz', { Cookie: aliceCookie, Accept: 'application/x-ndjson' });
          if (status === 200) p.searches.push(ms);
          else p.errors++;
        }
      })();
      await Promise.all(
        students.map(async (cookie) => {
          for (let i = 0; performance.now() < until; i++) {
            const [status, ms] = await get(agent, o.port, i % 2 === 0 ? '/browse/home/' : '/browse/library/', { Cookie: cookie, Accept: 'text/html' });
            if (status === 200) p.ms.push(ms);
            else p.errors++;
          }
        }),
      );
      searching = false;
      await searcher;
      return p;
    };

    await phase('warm-up', false);
    // Alternated, so drift in the machine's load (it may be shared) falls on both sides.
    const phases: Phase[] = [];
    for (let r = 1; r <= 2; r++) phases.push(await phase(`alone #${r}`, false), await phase(`during searches #${r}`, true));
    phases.push(await phase('alone #3', false));
    const f = (x: number): string => x.toFixed(1).padStart(7);
    process.stdout.write(`\n${o.users} students listing (home, Library), ${o.durationS} s per phase; alice searching Shared back to back in the middle phase\n`);
    process.stdout.write('phase                   listings   req/s    p50 ms   p99 ms  errors  searches  search p50 ms\n');
    for (const p of phases) {
      const searchP50 = p.searches.length > 0 ? percentile(p.searches, 50).toFixed(0) : '-';
      process.stdout.write(`${p.name.padEnd(22)} ${String(p.ms.length).padStart(9)} ${f(p.ms.length / o.durationS)} ${f(percentile(p.ms, 50))}  ${f(percentile(p.ms, 99))} ${String(p.errors).padStart(7)} ${String(p.searches.length).padStart(9)} ${searchP50.padStart(14)}\n`);
    }
    agent.destroy();
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await stopDomain(DOMAIN.name);
  }
}
