// GET /search against the real Samba AD DC, through a relay that counts the app's SMB commands on the wire and
// can hold the server's replies (a slow file server, on demand): results streamed as NDJSON while the walk is
// still waiting on the server, the plain HTML page, each limit with its note and "Search deeper", the per-user
// and total caps under parallel requests, refused paths and drives, and cancellation (client gone, or a newer
// search from the same tab) sending SMB2 CANCEL and leaving the connection free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { BIG_FOLDER, COURSE_TREE } from '../../fixtures/domain-data.js';
import { waitFor } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { opsDrivesFile } from '../../fixtures/second-server.js';
import { rawGet, signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { Cmd, startSmbReplyGate, type SmbReplyGate } from '../../helpers/smb-reply-gate.js';
import type { WebApp } from '../../helpers/web-app.js';

/** Our own port range (search helper: 5100–5199). */
const GATE_PORT = 5111;
const DRIVE = 'course-materials';
const NDJSON = { Accept: 'application/x-ndjson' };

let domain: DomainInfo;
let gate: SmbReplyGate;
let app: WebApp;
let alice: HttpClient;
let bob: HttpClient;

interface Line {
  type: string;
  [k: string]: unknown;
}
const linesOf = (text: string): Line[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
const url = (path: string): URL => new URL(path, app.url);
const cookie = (c: HttpClient): string => c.jar.header() ?? '';

/** A streamed search read line by line as it arrives, abortable. */
function openSearch(client: HttpClient, path: string) {
  const ac = new AbortController();
  const lines: Line[] = [];
  let status = 0;
  let ended = false;
  const done = (async () => {
    const res = await fetch(url(path), { headers: { ...NDJSON, Cookie: cookie(client) }, signal: ac.signal });
    status = res.status;
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      buffered += decoder.decode(chunk.value, { stream: true });
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) if (p) lines.push(JSON.parse(p) as Line);
    }
    ended = true;
  })().catch((err: unknown) => err);
  return { lines, abort: () => ac.abort(), done, status: () => status, ended: () => ended };
}

beforeAll(async () => {
  domain = requireDomain();
  gate = await startSmbReplyGate({ port: GATE_PORT, target: { host: domain.ip, port: 445 } });
  app = await startBrowseApp(domain, {
    env: { DRIVES_FILE: opsDrivesFile(domain), SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${GATE_PORT}`, SEARCH_PER_USER: '2', SEARCH_TOTAL: '3', SEARCH_MAX_RESULTS: '200' },
  });
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
}, 120_000);
afterAll(async () => {
  gate?.release();
  await app?.close();
  await gate?.close();
});

describe('search results', () => {
  it('NDJSON: a start line, every match three levels down with its links, and an end line', async () => {
    const r = await alice.get(`/search/${DRIVE}/?q=NOTE-017`, { headers: NDJSON });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = linesOf(r.text);
    expect(lines[0]).toMatchObject({ type: 'start', query: 'NOTE-017', drive: DRIVE });
    const hits = lines.filter((l) => l.type === 'hit');
    expect(hits).toHaveLength(COURSE_TREE.top * COURSE_TREE.sub);
    expect(hits).toContainEqual(expect.objectContaining({
      name: 'note-017.txt', kind: 'file', path: 'Archive/Term 03/Week 07/note-017.txt',
      href: `/browse/${DRIVE}/Archive/Term%2003/Week%2007/note-017.txt`, folderHref: `/browse/${DRIVE}/Archive/Term%2003/Week%2007/`, folderName: 'Archive / Term 03 / Week 07',
    }));
    expect(lines.at(-1)).toMatchObject({ type: 'end', results: 100, complete: true });
    expect(lines.at(-1)?.limit).toBeUndefined();
  });

  it('without JavaScript: an HTML page with each result and its folder as links, and the search box filled in', async () => {
    const r = await alice.get(`/search/${DRIVE}/Archive/Term%2002/?q=note-03*`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const hits = [...r.text.matchAll(/class="pc-search-hit-name text-break" href="([^"]+)"/g)].map((m) => m[1]);
    expect(hits).toHaveLength(COURSE_TREE.sub);
    expect(hits).toContain(`/browse/${DRIVE}/Archive/Term%2002/Week%2001/note-030.txt`);
    expect(r.text).toContain(`class="pc-search-hit-folder text-break" href="/browse/${DRIVE}/Archive/Term%2002/Week%2001/">Archive / Term 02 / Week 01</a>`);
    expect(r.text).toMatch(/<input type="search" id="pc-search" name="q"[^>]* value="note-03\*"/);
    expect(r.text).toContain('10 results.');
  });

  it('each limit stops the search, says which, and "Search deeper" raises it up to the maximum', async () => {
    const end = async (query: string): Promise<Line> => linesOf((await alice.get(`/search/${DRIVE}/?${query}`, { headers: NDJSON })).text).at(-1) as Line;
    const byResults = await end('q=note&results=3');
    expect(byResults).toMatchObject({ type: 'end', results: 3, complete: false, limit: 'results' });
    expect(byResults.note).toContain('result limit');
    expect(byResults.deeperHref).toBe(`/search/${DRIVE}/?q=note&results=12`);
    expect(await end('q=note&depth=2')).toMatchObject({ complete: false, limit: 'depth', results: 0 });
    expect(await end('q=zzz&visited=20')).toMatchObject({ complete: false, limit: 'entries', visited: 20 });
    // At the administrator's maximum (10 x 200 results) there is no deeper link; past it, 400.
    expect((await end('q=note&results=2000')).deeperHref).toBeUndefined();
    const over = await alice.get(`/search/${DRIVE}/?q=note&results=2001`, { headers: NDJSON });
    expect([over.status, linesOf(over.text)[0]?.code]).toEqual([400, 'bad_request']);
  });

  it('lets the file server filter a query without letters where no subfolder is entered: only its matches come back', async () => {
    const folder = `/search/shared/${encodeURIComponent(BIG_FOLDER.path)}/`;
    const search = async (query: string): Promise<Line[]> => linesOf((await alice.get(`${folder}?${query}`, { headers: NDJSON })).text);
    // depth=1: the folder's own entries only, so the QUERY_DIRECTORY pattern "*0042*" is all that is needed.
    const filtered = await search('q=0042&depth=1');
    expect(filtered[0]).toMatchObject({ type: 'start', serverFilter: true });
    const expected = ['file-00042.txt', ...Array.from({ length: 10 }, (_, i) => `file-0042${i}.txt`)];
    expect(filtered.filter((l) => l.type === 'hit').map((l) => l.name).sort()).toEqual(expected);
    // The folder holds 10,000 files; Samba sent back only the 11 that match, and only those were looked at here.
    expect(filtered.at(-1)).toMatchObject({ type: 'end', results: 11, visited: 11 });
    // A pattern nothing matches (Samba answers the first query with STATUS_NO_SUCH_FILE): no results, no error.
    expect((await search('q=99999&depth=1')).at(-1)).toMatchObject({ type: 'end', results: 0, visited: 0 });
    // With letters the server cannot be trusted to fold case and accents as we do: the whole folder is read.
    const letters = await search('q=FILE-0042&depth=1');
    expect(letters[0]).toMatchObject({ type: 'start', serverFilter: false });
    expect(letters.filter((l) => l.type === 'hit').map((l) => l.name).sort()).toEqual(expected.slice(1));
    expect(letters.at(-1)).toMatchObject({ type: 'end', results: 10, visited: BIG_FOLDER.entries });
  });

  it('refuses `..`, an unknown drive, a file, and a drive the file server denies', async () => {
    expect((await rawGet(alice, `/search/${DRIVE}/%2e%2e/?q=x`)).status).toBe(400);
    expect((await rawGet(alice, `/search/${DRIVE}/Archive/../../?q=x`)).status).toBe(400);
    const none = await alice.get('/search/no-such-drive/?q=x', { headers: NDJSON });
    expect([none.status, linesOf(none.text)[0]?.type]).toEqual([404, 'error']);
    expect((await alice.get(`/search/${DRIVE}/Syllabus.txt/?q=x`)).status).toBe(404);
    expect((await bob.get('/search/shared/?q=x')).status).toBe(403);
    expect((await app.client().get(`/search/${DRIVE}/?q=x`, { headers: NDJSON })).status).toBe(401);
  });
});

describe('streaming, cancelling and caps (replies held at the relay)', () => {
  it('streams hits while the walk still waits on the server; leaving sends CANCEL and frees the connection', async () => {
    const before = { queries: gate.sent(Cmd.QUERY_DIRECTORY), cancels: gate.sent(Cmd.CANCEL), appCancels: app.services.pool.stats().cancelsSent };
    // "Term" names the 10 folders of Archive: hits as soon as Archive's first reply is in (the 3rd directory
    // query: the top folder takes 2, its listing and its end). From the 5th on, the relay holds the replies.
    gate.holdFromQuery(before.queries + 5);
    const search = openSearch(alice, `/search/${DRIVE}/?q=term`);
    await waitFor('the Term folders to stream in', async () => search.lines.filter((l) => l.type === 'hit').length === 10, 30_000);
    await waitFor('directory reads to be waiting at the relay', async () => gate.held > 0, 30_000);
    // Term folders each hold 10 Week folders, none matching "term": the walk cannot have ended.
    expect(search.ended()).toBe(false);
    expect(search.lines.some((l) => l.type === 'end')).toBe(false);
    expect(app.services.pool.stats().outstanding).toBeGreaterThan(0);

    const queriesAtAbort = gate.sent(Cmd.QUERY_DIRECTORY);
    search.abort();
    await search.done;
    await waitFor('the app to send CANCEL for what is in flight', async () => gate.sent(Cmd.CANCEL) > before.cancels, 30_000);
    const cancels = gate.sent(Cmd.CANCEL) - before.cancels;
    expect(app.services.pool.stats().cancelsSent - before.appCancels).toBe(cancels);
    gate.release();
    await waitFor('the search to wind down', async () => app.logs.some((l) => l.includes('search cancelled')), 30_000);
    await waitFor('no SMB request left in flight', async () => app.services.pool.stats().outstanding === 0, 30_000);
    // No new directory read went out after the abort (only those already in flight were answered).
    expect(gate.sent(Cmd.QUERY_DIRECTORY)).toBe(queriesAtAbort);
    expect(queriesAtAbort - before.queries).toBeLessThan(2 * (1 + 1 + COURSE_TREE.top + COURSE_TREE.top * COURSE_TREE.sub));
    // The slot and the connection are free: the same user lists and searches again at once.
    expect((await alice.get(`/browse/${DRIVE}/Archive/`)).status).toBe(200);
    expect(linesOf((await alice.get(`/search/${DRIVE}/?q=syllabus`, { headers: NDJSON })).text).at(-1)).toMatchObject({ type: 'end', results: 1 });
  });

  it('the time limit stops a search stuck on the server: CANCEL for what is in flight, then the note', async () => {
    const cancels = gate.sent(Cmd.CANCEL);
    gate.holdFromQuery(gate.sent(Cmd.QUERY_DIRECTORY) + 1);
    const search = openSearch(alice, `/search/${DRIVE}/?q=week&seconds=1`);
    await waitFor('the time limit to cancel the held reads', async () => gate.sent(Cmd.CANCEL) > cancels, 30_000);
    gate.release();
    await search.done;
    expect(search.lines.at(-1)).toMatchObject({ type: 'end', complete: false, limit: 'time', deeperHref: `/search/${DRIVE}/?q=week&seconds=4` });
  });

  it('a new search from the same tab cancels the running one, which says so', async () => {
    const cancels = gate.sent(Cmd.CANCEL);
    gate.holdFromQuery(gate.sent(Cmd.QUERY_DIRECTORY) + 1);
    const first = openSearch(alice, `/search/${DRIVE}/?q=week&tab=t1`);
    await waitFor('the first search to wait at the relay', async () => gate.held > 0, 30_000);
    const second = openSearch(alice, `/search/${DRIVE}/?q=syllabus&tab=t1`);
    await waitFor('CANCEL for the first search', async () => gate.sent(Cmd.CANCEL) > cancels, 30_000);
    gate.release();
    await Promise.all([first.done, second.done]);
    expect(first.lines.at(-1)).toMatchObject({ type: 'end', cancelled: true });
    expect(second.lines.at(-1)).toMatchObject({ type: 'end', results: 1, complete: true });
    await waitFor('no SMB request left in flight', async () => app.services.pool.stats().outstanding === 0, 30_000);
  });

  it('at most 2 searches per user and 3 in all, decided atomically under parallel requests; 429 with Retry-After', async () => {
    gate.hold();
    const replies: { who: string; status: number; retryAfter: string | null }[] = [];
    const refusals: string[] = [];
    const fire = (who: HttpClient, name: string, i: number) => {
      const ac = new AbortController();
      const p = fetch(url(`/search/${DRIVE}/?q=week&tab=${name}${i}`), { headers: { ...NDJSON, Cookie: cookie(who) }, signal: ac.signal })
        .then(async (res) => {
          replies.push({ who: name, status: res.status, retryAfter: res.headers.get('retry-after') });
          const body = await res.text();
          if (res.status === 429) refusals.push(`${name}: ${String(linesOf(body)[0]?.message)}`);
        })
        .catch(() => undefined);
      return { p, ac };
    };
    const aliceTries = Array.from({ length: 6 }, (_, i) => fire(alice, 'alice', i));
    await waitFor("alice's refusals", async () => replies.length === 4, 30_000);
    const bobTries = Array.from({ length: 3 }, (_, i) => fire(bob, 'bob', i));
    await waitFor("bob's refusals", async () => replies.length === 6, 30_000);
    expect(replies.map((r) => [r.who, r.status, r.retryAfter])).toEqual([...Array(4).fill(['alice', 429, '5']), ...Array(2).fill(['bob', 429, '5'])]);
    // Each refusal says why, as the page shows it: the user's own cap, or the server's ("busy, try again").
    await waitFor('the refusals\' bodies', async () => refusals.length === 6, 30_000);
    expect(refusals.filter((r) => r.startsWith('alice: '))).toEqual(Array(4).fill('alice: You already have 2 searches running (in other tabs). Wait for one to finish or stop it, then try again.'));
    expect(refusals.filter((r) => r.startsWith('bob: '))).toEqual(Array(2).fill('bob: The server is busy with other searches. Try again in a few seconds.'));
    for (const t of [...aliceTries, ...bobTries]) t.ac.abort();
    gate.release();
    await Promise.all([...aliceTries, ...bobTries].map((t) => t.p));
    await waitFor('every search to end', async () => app.services.pool.stats().outstanding === 0, 30_000);
    // The slots came back: a search runs again.
    expect((await bob.get('/search/library/?q=hours', { headers: NDJSON })).status).toBe(200);
  });
});
