// `npm run bench -- search [--users 8] [--duration 20] [--port 5150]`
// Does one user's search slow other users' listings? The app as `npm start` runs it (needs `npm run build`);
// --users students each loop over their home listing and the Library listing, one request at a time, for
// --duration seconds: first alone (baseline), then while alice searches the whole Shared drive back to back,
// alternating (alone, searching, alone, searching, alone). The phases and their table are search-fairness.ts's,
// which `bench load` also runs after its main run. BENCH_DOMAIN_IP / BENCH_DOMAIN_NAME as in the ops bench.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDomain, stopDomain } from '../test/fixtures/domain.js';
import { studentName } from '../test/fixtures/domain-data.js';
import { HttpClient, signInOk } from '../test/helpers/http-client.js';
import { startApp } from './app-proc.js';
import { fairnessLines, fairnessPhase, fairnessPhases, SEARCH_MAX_SECONDS } from './search-fairness.js';

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

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = join(import.meta.dirname, '..');
  log(`starting the domain ${DOMAIN.name} on ${DOMAIN.ip}`);
  const domain = await startDomain(DOMAIN);
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-search-'));
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    app = await startApp(root, domain, { port: o.port, dataDir, username: 'alice', env: { LOGIN_MAX_PER_IP: '10000', SEARCH_MAX_SECONDS: String(SEARCH_MAX_SECONDS) } });
    const { base, cookie: aliceCookie } = app;
    const students: string[] = [];
    for (let i = 1; i <= o.users; i++) {
      const c = new HttpClient(base);
      await signInOk(c, studentName(i), domain.password);
      students.push(c.jar.header());
    }
    const agent = new Agent({ keepAlive: true, maxSockets: o.users + 4 });

    const setup = { port: o.port, agent, searcher: aliceCookie, listers: students, listings: ['/browse/home/', '/browse/library/'], phaseS: o.durationS };
    await fairnessPhase(setup, 'warm-up', false);
    const phases = await fairnessPhases(setup, [false, true, false, true, false]);
    process.stdout.write(`\n${o.users} students listing (home, Library), ${o.durationS} s per phase; alice searching Shared back to back in the "during searches" phases\n`);
    process.stdout.write(`${fairnessLines(phases).join('\n')}\n`);
    agent.destroy();
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await stopDomain(DOMAIN.name);
  }
}
