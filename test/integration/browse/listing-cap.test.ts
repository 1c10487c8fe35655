// Issue 10, item 12: a folder page reads at most LISTING_MAX_ENTRIES entries and says when it cut the list;
// reading stops at the cap (counted on the wire: QUERY_DIRECTORY requests), and a zip walk counts entries as
// it reads, so a folder far over ZIP_MAX_ENTRIES stops the walk within one response of the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../src/smb/messages/constants.js';
import { type DirEntry, SmbClient, type SmbShare } from '../../../src/smb/index.js';
import type { Tree, TreeRequest } from '../../../src/smb/tree.js';
import { readFolder } from '../../../src/files/read-folder.js';
import { walkForZip, ZipTooLargeError } from '../../../src/files/zip-walk.js';
import { BIG_FOLDER, SHARES } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { namesIn, signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';

const CAP = 500;

interface Wire {
  queries: number;
  /** Calls on the tree: each is one round trip (a compound's requests travel together). */
  trips: number;
  closes: number;
  /** Entries the share handed out (decoded from the responses). */
  decoded: number;
}

/**
 * The real share, with every request it sends on the real tree counted by command: the same SmbShare code,
 * over a tree whose compound() and request() count before passing each call on.
 */
function countingShare(client: SmbClient, name: string): { share: SmbShare; wire: Wire } {
  const wire: Wire = { queries: 0, trips: 0, closes: 0, decoded: 0 };
  const real = client.share(name);
  const treeOf = (real as unknown as { tree: () => Promise<Tree> }).tree;
  const note = (reqs: readonly TreeRequest[]): void => {
    wire.trips++;
    for (const r of reqs) {
      if (r.command === Command.QUERY_DIRECTORY) wire.queries++;
      if (r.command === Command.CLOSE) wire.closes++;
    }
  };
  const tree = async (): Promise<Tree> => {
    const t = await treeOf();
    return new Proxy(t, {
      get(target, prop, receiver) {
        if (prop === 'compound') return (reqs: readonly TreeRequest[]) => (note(reqs), target.compound(reqs));
        if (prop === 'request') return (req: TreeRequest) => (note([req]), target.request(req));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  };
  const SmbShareClass = real.constructor as new (name: string, tree: () => Promise<Tree>) => SmbShare;
  const counted = new SmbShareClass(name, tree);
  const entries = counted.entries.bind(counted);
  counted.entries = async function* (path: string, options?: Parameters<SmbShare['entries']>[1]): AsyncGenerator<DirEntry[], void, undefined> {
    for await (const batch of entries(path, options)) {
      wire.decoded += batch.length;
      yield batch;
    }
  };
  return { share: counted, wire };
}

async function entriesOf(share: SmbShare, path: string): Promise<DirEntry[]> {
  const all: DirEntry[] = [];
  for await (const batch of share.entries(path)) all.push(...batch);
  return all;
}

describe('reading a folder with a cap, on the wire', () => {
  let domain: DomainInfo;
  let client: SmbClient;

  beforeAll(async () => {
    domain = requireDomain();
    client = await SmbClient.connect({ host: domain.ip, port: 445, share: SHARES.shared, credential: { username: 'alice', domain: domain.netbiosDomain, password: domain.password }, timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await client?.close();
  });

  it(`stops asking for entries at the cap: ${CAP} of ${BIG_FOLDER.entries.toLocaleString('en')} in one response, the handle closed`, async () => {
    const whole = countingShare(client, SHARES.shared);
    const all = await whole.share.readdir(BIG_FOLDER.path);
    expect(all).toHaveLength(BIG_FOLDER.entries);

    const capped = countingShare(client, SHARES.shared);
    const read = await readFolder(capped.share, BIG_FOLDER.path, CAP);
    expect(read.truncated).toBe(true);
    expect(read.entries).toHaveLength(CAP);
    expect(read.entries.map((e) => e.name)).toEqual(all.slice(0, CAP).map((e) => e.name));
    console.log(
      `${BIG_FOLDER.entries} entries: a full read sent ${whole.wire.queries} QUERY_DIRECTORY and decoded ${whole.wire.decoded}; ` +
        `capped at ${CAP}: ${capped.wire.queries} QUERY_DIRECTORY, ${capped.wire.decoded} decoded`,
    );
    expect(whole.wire.queries).toBeGreaterThan(2);
    expect(capped.wire.queries).toBe(1);
    expect(capped.wire.decoded).toBeLessThan(BIG_FOLDER.entries / 2);
    expect(capped.wire.closes).toBe(1);

    // At the cap exactly, or under it, nothing is cut.
    const exact = await readFolder(client.share(SHARES.shared), BIG_FOLDER.path, BIG_FOLDER.entries);
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.entries).toHaveLength(BIG_FOLDER.entries);
  });

  it('a page listing reads ahead: a small folder costs one round trip and the CLOSE; a big one comes whole, each name once', async () => {
    const small = countingShare(client, SHARES.shared);
    const read = await readFolder(small.share, '', 100_000);
    expect(read.entries.length).toBeGreaterThan(3);
    expect(small.wire).toMatchObject({ trips: 2, queries: 2, closes: 1 });
    // Without read-ahead (search, zip, counting: callers that may stop after one answer) the same folder costs three.
    const plain = countingShare(client, SHARES.shared);
    expect((await entriesOf(plain.share, '')).map((e) => e.name)).toEqual(read.entries.map((e) => e.name));
    expect(plain.wire).toMatchObject({ trips: 3, queries: 2, closes: 1 });

    const whole = countingShare(client, SHARES.shared);
    const all = await readFolder(whole.share, BIG_FOLDER.path, 100_000);
    expect(all.truncated).toBe(false);
    expect(all.entries).toHaveLength(BIG_FOLDER.entries);
    expect(new Set(all.entries.map((e) => e.name)).size).toBe(BIG_FOLDER.entries);
    const plainBig = countingShare(client, SHARES.shared);
    expect((await entriesOf(plainBig.share, BIG_FOLDER.path)).map((e) => e.name)).toEqual(all.entries.map((e) => e.name));
    expect(whole.wire.trips).toBe(plainBig.wire.trips - 1);
  });

  it('a zip walk of a folder far over ZIP_MAX_ENTRIES stops within one response of the limit', async () => {
    const counted = countingShare(client, SHARES.shared);
    await expect(walkForZip(counted.share, BIG_FOLDER.path, undefined, { maxEntries: CAP, maxBytes: 1 << 30 })).rejects.toBeInstanceOf(ZipTooLargeError);
    expect(counted.wire.queries).toBe(1);
    expect(counted.wire.decoded).toBeLessThan(BIG_FOLDER.entries / 2);
    expect(counted.wire.closes).toBe(1);
  });
});

describe(`the folder page with LISTING_MAX_ENTRIES=${CAP}`, () => {
  let app: WebApp;
  let alice: HttpClient;
  const big = `/browse/shared/${encodeURIComponent(BIG_FOLDER.path)}/`;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain(), { env: { LISTING_MAX_ENTRIES: String(CAP), ZIP_MAX_ENTRIES: String(CAP) }, logLevel: 'warn' });
    alice = await signedIn(app, 'alice');
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`lists ${CAP} entries of the ${BIG_FOLDER.entries.toLocaleString('en')}, says the list was cut and where, in list and grid view`, async () => {
    for (const view of ['list', 'grid']) {
      const page = await alice.get(`${big}?view=${view}`);
      expect(page.status).toBe(200);
      const names = namesIn(page.text);
      expect(names).toHaveLength(CAP);
      expect(new Set(names).size).toBe(CAP);
      expect(page.text).toContain(`data-truncated-at="${CAP}"`);
      expect(page.text).toMatch(/This folder holds more than 500 items, the most a page lists\. Only the first 500 the file server returned were read/);
      expect(page.text).toMatch(/500 items \(the folder holds more: the list was cut at 500\)/);
      expect(page.text.trimEnd().endsWith('</html>')).toBe(true);
    }
  });

  it('says nothing of the kind for a folder under the cap', async () => {
    const page = await alice.get('/browse/shared/');
    expect(page.status).toBe(200);
    expect(namesIn(page.text).length).toBeGreaterThan(3);
    expect(page.text).not.toContain('data-truncated-at');
    expect(page.text).not.toContain('the list was cut');
  });

  it('a zip of the folder is refused with 413 and a clear message', async () => {
    const zip = await alice.get(`/zip/shared/${encodeURIComponent(BIG_FOLDER.path)}/`, { headers: { Accept: 'application/json' } });
    expect(zip.status).toBe(413);
    expect(JSON.parse(zip.text).error.message).toMatch(/more than 500 files and folders/);
  });
});
