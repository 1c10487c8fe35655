// The fault tests' rig: the real app as its own process (so RSS and killing it are real), signed in with the real
// form, and a standalone smbd of our own as a drive of the user's, so the tests may stop and restart that file
// server (and stop the DC) without touching anyone else's. Plus the measuring tools: smbstatus open files, the
// app's RSS from /proc, raw downloads that tell a cut connection from a clean end.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { DomainInfo } from '../../fixtures/domain.js';
import { drivesFileFor } from '../../fixtures/app-env.js';
import { DEMO_PASSWORD, FIXTURE_ROOT } from '../../fixtures/paths.js';
import { run, waitFor } from '../../fixtures/proc.js';
import { SMBD_USER, startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { csrfTokenIn, HttpClient, signInOk } from '../../helpers/http-client.js';
import { startServerProcess, tempDataDir, webEnvFor, type ServerProcess } from '../../helpers/web-app.js';

/** The UNC host of the standalone file server in the drives file (mapped to 127.0.0.1:<port>). */
export const FAULT_HOST = 'faultsrv';
/** Drive slugs the app gives the drives below. */
export const FAULTS_DRIVE = 'faults';
export const SMALL_DRIVE = 'small-disk';
/** The user the tests sign in as; the standalone smbd knows them by a username map. */
export const USER = 'alice';

export interface Rig {
  domain: DomainInfo;
  smbd: SmbdFixture;
  app: ServerProcess;
  /** PID of the app process, for /proc. */
  pid: number;
  client: HttpClient;
  /** A CSRF token of the signed-in session. */
  csrf: string;
  stop(): Promise<void>;
}

export interface RigOptions {
  name: string;
  smbdPort: number;
  appPort: number;
  env?: Record<string, string>;
  /** Flags for node before the script, e.g. `npm start`'s V8 flags. */
  nodeArgs?: string[];
  /** Before the app starts (the smbd is up): e.g. mount a small file system in the share. */
  beforeApp?: (smbd: SmbdFixture) => Promise<void>;
}

export async function startRig(domain: DomainInfo, opts: RigOptions): Promise<Rig> {
  const dir = join(FIXTURE_ROOT, `faults-${opts.name}`);
  mkdirSync(dir, { recursive: true });
  // The web user signs in to the file server with their domain credential: the standalone server's own
  // account (the fixture's) answers to the domain user's name. NTLMv2 is computed with the name the client sent.
  const usermap = join(dir, 'users.map');
  writeFileSync(usermap, `${SMBD_USER} = ${USER}\n`);
  const smbd = await startSmbd({ name: `faults-${opts.name}`, port: opts.smbdPort, settings: { 'username map': usermap } });
  await opts.beforeApp?.(smbd);
  const drivesFile = join(dir, 'drives.yaml');
  writeFileSync(
    drivesFile,
    [
      drivesFileFor(domain).trimEnd(),
      `  - name: Faults`,
      `    unc: '\\\\${FAULT_HOST}\\data'`,
      `  - name: Small disk`,
      `    unc: '\\\\${FAULT_HOST}\\data\\small'`,
      '',
    ].join('\n'),
  );
  const dataDir = tempDataDir('portcullis-faults-');
  const env = webEnvFor(domain, dataDir, {
    PORT: String(opts.appPort),
    DRIVES_FILE: drivesFile,
    SMB_HOST_MAP: `${domain.fileServerName}=${domain.ip}:445,${FAULT_HOST}=127.0.0.1:${opts.smbdPort}`,
    // Fail fast enough that a dead server is noticed within a test's patience.
    SMB_TIMEOUT_MS: '5000',
    LDAP_TIMEOUT_MS: '3000',
    ...opts.env,
  });
  let app: ServerProcess | undefined;
  try {
    app = await startServerProcess(env, { nodeArgs: opts.nodeArgs ?? [] });
    const client = new HttpClient(app.url);
    await signInOk(client, USER, DEMO_PASSWORD);
    const page = await client.get(`/browse/${FAULTS_DRIVE}/`);
    if (page.status !== 200) throw new Error(`the Faults drive did not open: ${page.status}\n${page.text.slice(0, 500)}`);
    const running = app;
    return {
      domain,
      smbd,
      app: running,
      pid: running.child.pid ?? 0,
      client,
      csrf: csrfTokenIn(page.text),
      stop: async () => {
        await running.stop();
        await smbd.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app?.stop();
    await smbd.stop();
    throw err;
  }
}

/** The app's resident set size in bytes (VmRSS from /proc). */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

interface SmbstatusJson {
  open_files?: Record<string, { opens?: Record<string, unknown> }>;
}

/** Files the smbd has open right now, over all clients (smbstatus -L of its own config), one per open. */
export async function openFiles(smbd: SmbdFixture): Promise<string[]> {
  const out = await run('smbstatus', ['-s', join(smbd.dir, 'smb.conf'), '-L', '--json']);
  const parsed = JSON.parse(out) as SmbstatusJson;
  const names: string[] = [];
  for (const [name, f] of Object.entries(parsed.open_files ?? {})) {
    for (let i = 0; i < Object.keys(f.opens ?? {}).length; i++) names.push(name);
  }
  return names.sort();
}

/** Waits until the smbd's open files are back to `baseline`; returns how long that took. */
export async function waitForOpenFiles(smbd: SmbdFixture, baseline: string[], timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  const want = JSON.stringify(baseline);
  await waitFor(`open files back to ${want}`, async () => JSON.stringify(await openFiles(smbd)) === want, timeoutMs, 100);
  return Date.now() - started;
}

export interface CutDownload {
  status: number;
  contentLength: number;
  received: number;
  /** 'end': the body ended cleanly (complete); 'cut': the connection closed before the body did. */
  ending: 'end' | 'cut';
  /** Whether the body was chunked (then a clean end needs the terminating chunk). */
  chunked: boolean;
}

/**
 * GETs `path` with the client's cookies, reading as fast as it comes, and calls `midway(res)` once when
 * `after` bytes have arrived (the body paused meanwhile). Resolves when the body ended or the connection closed.
 */
export function downloadAndMeddle(client: HttpClient, path: string, after: number, midway: () => Promise<void>): Promise<CutDownload> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, client.baseUrl), { headers: { Cookie: client.jar.header() }, agent: false }, (res) => {
      let received = 0;
      let meddled = false;
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        resolve({
          status: res.statusCode ?? 0,
          contentLength: Number(res.headers['content-length'] ?? -1),
          received,
          ending: res.complete ? 'end' : 'cut',
          chunked: res.headers['transfer-encoding'] === 'chunked',
        });
      };
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (!meddled && received >= after) {
          meddled = true;
          res.pause();
          midway().then(
            () => res.resume(),
            (err: unknown) => {
              req.destroy();
              reject(err instanceof Error ? err : new Error(String(err)));
            },
          );
        }
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', reject);
  });
}

/** Cookie + CSRF headers for JSON calls of the signed-in session. */
export function jsonHeaders(rig: Pick<Rig, 'client' | 'csrf'>): Record<string, string> {
  return { Cookie: rig.client.jar.header(), 'X-CSRF-Token': rig.csrf, Accept: 'application/json' };
}

/** Lines in the app's output, for failure messages. */
export function tail(rig: Pick<Rig, 'app'>, lines = 30): string {
  return rig.app.output().split('\n').slice(-lines).join('\n');
}
