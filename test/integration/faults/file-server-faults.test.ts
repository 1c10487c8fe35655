// Faults of the file server, through the real app over HTTP (its own process, signed in with the real form),
// against a standalone smbd of our own that is one of the user's drives: Samba restarted during a download and
// during a resumable upload, a client that goes away mid-download, and a drive that fills up.
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { run, waitFor } from '../../fixtures/proc.js';
import { SMBD_USER } from '../../fixtures/smbd.js';
import { postMultipart, send } from '../upload/helpers.js';
import { downloadAndMeddle, FAULTS_DRIVE, jsonHeaders, openFiles, SMALL_DRIVE, startRig, tail, waitForOpenFiles, type Rig } from './helpers.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const MiB = 1 << 20;
/** The small drive's file system: smaller than the uploads below. */
const SMALL_FS = '8m';

async function isMountPoint(path: string): Promise<boolean> {
  return run('mountpoint', ['-q', path]).then(
    () => true,
    () => false,
  );
}

describe('file server faults, through the app', () => {
  let rig: Rig;
  let bigSha = '';
  let smallDir = '';

  beforeAll(async () => {
    const domain = requireDomain();
    rig = await startRig(domain, {
      name: 'smb',
      smbdPort: 5501,
      appPort: 5510,
      beforeApp: async (smbd) => {
        smallDir = join(smbd.shareDir, 'small');
        mkdirSync(smallDir, { recursive: true });
        // A file system of its own, so "full" is real (ENOSPC from the kernel → DISK_FULL from Samba).
        if (await isMountPoint(smallDir)) await run('umount', [smallDir]);
        await run('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_FS},mode=0755`, 'pcfx-faults-small', smallDir]);
        const { uid, gid } = await run('id', ['-u', SMBD_USER]).then(async (u) => ({ uid: Number(u.trim()), gid: Number((await run('id', ['-g', SMBD_USER])).trim()) }));
        chownSync(smallDir, uid, gid);
      },
    });
    const big = randomBytes(128 * MiB);
    bigSha = sha256(big);
    writeFileSync(join(rig.smbd.shareDir, 'big.bin'), big);
    writeFileSync(join(rig.smbd.shareDir, 'small.txt'), 'still here\n');
  }, 120_000);

  afterAll(async () => {
    if (smallDir && (await isMountPoint(smallDir))) await run('umount', ['-l', smallDir]);
    await rig?.stop();
  });

  it('Samba restarted during a download: the client sees a cut transfer, never a short file; the next request works', async () => {
    const res = await downloadAndMeddle(rig.client, `/download/${FAULTS_DRIVE}/big.bin`, 4 * MiB, () => rig.smbd.restart());
    expect(res.status).toBe(200);
    expect(res.contentLength).toBe(128 * MiB);
    expect(res.ending, `${res.received} of ${res.contentLength} bytes\n${tail(rig)}`).toBe('cut');
    expect(res.received).toBeLessThan(res.contentLength);

    // The pool reconnects by itself: no sign-in, no error page.
    const after = await fetch(new URL(`/download/${FAULTS_DRIVE}/small.txt`, rig.app.url), { headers: { Cookie: rig.client.jar.header() } });
    expect(after.status, tail(rig)).toBe(200);
    expect(await after.text()).toBe('still here\n');
    const whole = Buffer.from(await (await fetch(new URL(`/download/${FAULTS_DRIVE}/big.bin`, rig.app.url), { headers: { Cookie: rig.client.jar.header() } })).arrayBuffer());
    expect(sha256(whole)).toBe(bigSha);
  });

  it('Samba restarted during a zip download: the chunked stream is never terminated; the next request works', async () => {
    const res = await downloadAndMeddle(rig.client, `/zip/${FAULTS_DRIVE}/`, 4 * MiB, () => rig.smbd.restart());
    expect(res.status).toBe(200);
    expect(res.chunked).toBe(true);
    expect(res.ending, `${res.received} bytes\n${tail(rig)}`).toBe('cut');
    expect(res.received).toBeLessThan(128 * MiB);
    expect((await rig.client.get(`/browse/${FAULTS_DRIVE}/`)).status).toBe(200);
  });

  it('the client disconnects mid-download: the SMB handle is closed (smbstatus back to its baseline)', async () => {
    const baseline = await openFiles(rig.smbd);
    expect(baseline).not.toContain('big.bin');
    let during: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.get(new URL(`/download/${FAULTS_DRIVE}/big.bin`, rig.app.url), { headers: { Cookie: rig.client.jar.header() }, agent: false }, (res) => {
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got < 2 * MiB || res.isPaused()) return;
          res.pause();
          // The app is held back by us (a paused reader), so its handle is open now.
          openFiles(rig.smbd).then((open) => {
            during = open;
            req.destroy();
            resolve();
          }, reject);
        });
      });
      req.on('error', () => undefined);
    });
    expect(during.filter((f) => f.endsWith('big.bin'))).toHaveLength(1);
    const ms = await waitForOpenFiles(rig.smbd, baseline);
    console.log(`open files back to baseline ${ms} ms after the client went away`);
  });

  it('Samba restarted during a resumable upload: nothing under the final name; it resumes from the last confirmed offset and lands whole', async () => {
    const size = 24 * MiB;
    const data = randomBytes(size);
    const name = 'resumed.bin';
    const final = join(rig.smbd.shareDir, name);
    const base = rig.app.url;
    const start = await send(`${base}/uploads`, 'POST', { ...jsonHeaders(rig), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: FAULTS_DRIVE, folder: [], name, size })));
    expect(start.status, start.text).toBe(201);
    const id = String(start.json.id);
    const put = (from: number, to: number) =>
      send(`${base}/uploads/${encodeURIComponent(id)}?offset=${from}`, 'PUT', { ...jsonHeaders(rig), 'Content-Type': 'application/octet-stream', 'Content-Length': to - from }, data.subarray(from, to));
    const first = await put(0, 8 * MiB);
    expect(first.status, first.text).toBe(200);
    expect(first.json.offset).toBe(8 * MiB);

    // The second chunk: half of it goes out, and once the file server has some of it, Samba restarts.
    const temp = (): string | undefined => readdirSync(rig.smbd.shareDir).find((n) => n.startsWith('.~portcullis-') && n.endsWith('.part'));
    let restarting: Promise<void> = Promise.resolve();
    const outcome = await new Promise<{ status: number; cut: boolean }>((resolve) => {
      const req = http.request(`${base}/uploads/${encodeURIComponent(id)}?offset=${8 * MiB}`, {
        method: 'PUT',
        headers: { ...jsonHeaders(rig), 'Content-Type': 'application/octet-stream', 'Content-Length': 8 * MiB },
        agent: false,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cut: false }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, cut: true }));
      });
      req.on('error', () => resolve({ status: 0, cut: true }));
      req.write(data.subarray(8 * MiB, 12 * MiB));
      restarting = (async () => {
        await waitFor('part of the second chunk on the file server', async () => {
          const t = temp();
          return t !== undefined && readFileSync(join(rig.smbd.shareDir, t)).length > 8 * MiB;
        }, 20_000, 20);
        expect(existsSync(final)).toBe(false);
        await rig.smbd.restart();
        if (!req.destroyed) req.end(data.subarray(12 * MiB, 16 * MiB));
      })();
    });
    // The app answers as soon as the connection drops, before Samba is back: ask where the upload stands only once
    // the restart is over (the next tests need the server up too).
    await restarting;
    // Refused (503: the file server went away) or cut: either way not confirmed.
    expect(outcome.cut || outcome.status >= 500, JSON.stringify(outcome)).toBe(true);
    expect(existsSync(final)).toBe(false);

    // Where does it stand? At the last offset a PUT confirmed, whatever part of the cut chunk reached the disk.
    const where = await send(`${base}/uploads/${encodeURIComponent(id)}`, 'GET', jsonHeaders(rig), undefined);
    expect(where.status, `${where.text}\n${tail(rig)}`).toBe(200);
    expect(where.json.offset).toBe(8 * MiB);

    let offset = Number(where.json.offset);
    while (offset < size) {
      const next = Math.min(size, offset + 8 * MiB);
      const r = await put(offset, next);
      expect(r.status, r.text).toBe(200);
      offset = Number(r.json.offset);
    }
    expect(existsSync(final)).toBe(false);
    const done = await send(`${base}/uploads/${encodeURIComponent(id)}/finish`, 'POST', jsonHeaders(rig), undefined);
    expect(done.status, done.text).toBe(201);
    expect(sha256(readFileSync(final))).toBe(sha256(data));
    expect(temp()).toBeUndefined();
  });

  describe('the drive is full', () => {
    const leftovers = (): string[] => readdirSync(smallDir);

    it('a form upload bigger than the free space: 507 "The drive is full", and no file is left', async () => {
      const reply = await postMultipart(rig.app.url, `/upload/${SMALL_DRIVE}/`, jsonHeaders(rig), [{ name: 'too-big.bin', data: randomBytes(12 * MiB) }]);
      expect(reply.status, reply.text).toBe(507);
      const files = reply.json.files as { message?: string; status: number }[];
      expect(files[0]?.status).toBe(507);
      expect(files[0]?.message).toMatch(/^The drive is full\b/);
      expect(leftovers()).toEqual([]);
      // The listing a user sees shows nothing either.
      const page = await rig.client.get(`/browse/${SMALL_DRIVE}/`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('too-big.bin');
      expect(page.text).not.toContain('.~portcullis-');
    });

    it('the same as the form without JavaScript: the folder page says the drive is full', async () => {
      const reply = await postMultipart(rig.app.url, `/upload/${SMALL_DRIVE}/?_csrf=${encodeURIComponent(rig.csrf)}`, { Cookie: rig.client.jar.header(), Accept: 'text/html' }, [{ name: 'form.bin', data: randomBytes(12 * MiB) }]);
      expect(reply.status).toBe(303);
      const page = await rig.client.get(`/browse/${SMALL_DRIVE}/`);
      expect(page.text).toMatch(/The drive is full/);
      expect(leftovers()).toEqual([]);
    });

    it('a resumable upload bigger than the free space: the chunk that does not fit gets 507, and no file is left', async () => {
      const size = 12 * MiB;
      const data = randomBytes(size);
      const base = rig.app.url;
      const start = await send(`${base}/uploads`, 'POST', { ...jsonHeaders(rig), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: SMALL_DRIVE, folder: [], name: 'resumable.bin', size })));
      expect(start.status, start.text).toBe(201);
      const id = encodeURIComponent(String(start.json.id));
      let offset = 0;
      let refused: { status: number; json: Record<string, unknown> } | undefined;
      while (offset < size && !refused) {
        const next = Math.min(size, offset + 4 * MiB);
        const r = await send(`${base}/uploads/${id}?offset=${offset}`, 'PUT', { ...jsonHeaders(rig), 'Content-Type': 'application/octet-stream', 'Content-Length': next - offset }, data.subarray(offset, next));
        if (r.status === 200) offset = Number(r.json.offset);
        else refused = r;
      }
      expect(refused?.status, JSON.stringify(refused?.json)).toBe(507);
      expect(String((refused?.json.error as { message?: string } | undefined)?.message)).toMatch(/^The drive is full\b/);
      expect(leftovers()).toEqual([]);
      // The upload is over: asking where it stands says so, and nothing can finish it.
      expect((await send(`${base}/uploads/${id}`, 'GET', jsonHeaders(rig), undefined)).status).toBe(404);
      expect((await send(`${base}/uploads/${id}/finish`, 'POST', jsonHeaders(rig), undefined)).status).toBe(404);
      expect(leftovers()).toEqual([]);
    });
  });
});
