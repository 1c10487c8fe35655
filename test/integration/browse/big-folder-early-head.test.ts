// Issue 11: a big folder's page starts before its listing is read. Through a relay that holds the file server's
// replies from the third QUERY_DIRECTORY on (a page's listing asks for the first two answers at once), the page head (navbar, breadcrumbs, toolbar) must already be at the
// browser while the rest of the listing is still in flight; released, the page completes with every name. And when
// the file server goes away mid-listing, the page already under way says so instead of ending as a short list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_FOLDER } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { waitFor } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { namesIn, signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { Cmd, startSmbReplyGate, type SmbReplyGate } from '../../helpers/smb-reply-gate.js';
import { freePort, type WebApp } from '../../helpers/web-app.js';

const BIG = `/browse/shared/${encodeURIComponent(BIG_FOLDER.path)}/`;

let domain: DomainInfo;
let gate: SmbReplyGate;
let app: WebApp;
let alice: HttpClient;

/** A page read chunk by chunk: what has arrived so far, and the whole once it ends (or fails). */
function openPage(client: HttpClient, path: string) {
  let text = '';
  let status = 0;
  const decoder = new TextDecoder();
  const done = (async () => {
    const res = await fetch(new URL(path, client.baseUrl), { headers: { Accept: 'text/html', Cookie: client.jar.header() } });
    status = res.status;
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      text += decoder.decode(value, { stream: true });
    }
    text += decoder.decode();
    return text;
  })();
  return { done, status: () => status, text: () => text };
}

beforeAll(async () => {
  domain = requireDomain();
  gate = await startSmbReplyGate({ port: await freePort(), target: { host: domain.ip, port: 445 } });
  app = await startBrowseApp(domain, { env: { SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${gate.port}` }, logLevel: 'error' });
  alice = await signedIn(app, 'alice');
  expect((await alice.get(BIG)).status).toBe(200); // the SMB connection and the templates warm
}, 120_000);
afterAll(async () => {
  gate?.release();
  await app?.close();
  await gate?.close().catch(() => undefined); // the last test closed it already
});

describe('a big folder page starts before its listing is read', () => {
  it('sends the page head while the listing waits at the file server, then every name', async () => {
    gate.holdFromQuery(gate.sent(Cmd.QUERY_DIRECTORY) + 3);
    const page = openPage(alice, BIG);
    await waitFor('the third directory read to wait at the relay', async () => gate.held > 0, 60_000);
    await waitFor('the page head to arrive', async () => page.text().includes('pc-folder-title'), 60_000);
    expect(page.status()).toBe(200);
    const head = page.text();
    expect(head).toContain('<html');
    expect(head).toContain(`>${BIG_FOLDER.path}</h1>`);
    expect(namesIn(head)).toHaveLength(0); // no row yet: they wait for the whole listing (the page sorts it)
    expect(head).not.toContain('pc:head'); // the marker never reaches the browser
    gate.release();
    const html = await page.done;
    const names = namesIn(html);
    expect(names).toHaveLength(BIG_FOLDER.entries);
    expect(names[0]).toBe('file-00001.txt');
    expect(names.at(-1)).toBe('file-10000.txt');
    expect(html.match(/<html/g)).toHaveLength(1);
    expect(html).toContain('data-count="10000"');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('a small folder still comes whole, without the head marker', async () => {
    const r = await alice.get('/browse/home/');
    expect(r.status).toBe(200);
    const html = r.text;
    expect(html).not.toContain('pc:head');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('a file server gone mid-listing: the page under way says the folder could not be read, not a short list', async () => {
    gate.holdFromQuery(gate.sent(Cmd.QUERY_DIRECTORY) + 3);
    const page = openPage(alice, BIG);
    await waitFor('the third directory read to wait at the relay', async () => gate.held > 0, 60_000);
    await waitFor('the page head to arrive', async () => page.text().includes('pc-folder-title'), 60_000);
    await gate.close(); // the connection drops and nothing listens any more: the retry fails too
    const html = await page.done;
    expect(page.status()).toBe(200);
    expect(html).toMatch(/class="alert alert-danger pc-read-failed" role="alert">This folder could not be read to the end: /);
    expect(namesIn(html)).toHaveLength(0);
  });
});
