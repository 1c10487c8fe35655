// What is on the file server, seen by Samba's own smbclient as the user (not through the app, nor the disk).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';

const run = promisify(execFile);

export interface SmbEntry {
  name: string;
  dir: boolean;
  size: number;
}

function args(domain: DomainInfo, share: string, user: string, command: string): string[] {
  return [`//${domain.ip}/${share}`, '-U', `${domain.netbiosDomain}\\${user}%${DEMO_PASSWORD}`, '-m', 'SMB3', '-c', command];
}

/** The entries of `dir` (a '/'-separated path in the share), without "." and "..". Throws when it is missing. */
export async function smbList(domain: DomainInfo, share: string, dir: string, user = 'alice'): Promise<SmbEntry[]> {
  const { stdout } = await run('smbclient', args(domain, share, user, `cd "${dir}"; ls`), { maxBuffer: 64 << 20 });
  if (/NT_STATUS_/.test(stdout)) throw new Error(`smbclient: ${stdout.trim()}`);
  const out: SmbEntry[] = [];
  for (const line of stdout.split('\n')) {
    // "  name                               D        0  Sun Nov 29 16:21:53 2026"
    const m = /^ {2}(.+?)\s+([A-Z]*)\s+(\d+)\s+\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.exec(line);
    if (m?.[1] === undefined || m[1] === '.' || m[1] === '..') continue;
    out.push({ name: m[1], dir: (m[2] ?? '').includes('D'), size: Number(m[3]) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** smbList, or undefined when the folder does not exist. */
export async function smbListMaybe(domain: DomainInfo, share: string, dir: string, user = 'alice'): Promise<SmbEntry[] | undefined> {
  try {
    return await smbList(domain, share, dir, user);
  } catch (err) {
    if (/NT_STATUS_OBJECT_(NAME|PATH)_NOT_FOUND|NT_STATUS_NO_SUCH_FILE/.test(String((err as { stdout?: string }).stdout ?? err))) return undefined;
    throw err;
  }
}

/** A file's bytes, fetched by smbclient's get. */
export async function smbGet(domain: DomainInfo, share: string, path: string, user = 'alice'): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-smbget-'));
  try {
    const local = join(dir, 'file');
    const slash = path.lastIndexOf('/');
    const cd = slash >= 0 ? `cd "${path.slice(0, slash)}"; ` : '';
    await run('smbclient', args(domain, share, user, `${cd}get "${path.slice(slash + 1)}" "${local}"`));
    return readFileSync(local);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
