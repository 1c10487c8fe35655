// Helpers for the browse tests (issue 5): a signed-in app client, and parsers for the folder page's rows.
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import type { DomainInfo } from '../fixtures/domain.js';
import { decodeEntities, type HttpClient, signInOk } from './http-client.js';
import { startWebApp, type WebApp, type WebAppOptions } from './web-app.js';

export interface Row {
  kind: string;
  href: string;
  name: string;
}

/** Rows of a folder page in page order, list or grid view. */
export function rowsIn(html: string): Row[] {
  const list = [...html.matchAll(/<tr data-kind="([^"]+)"[^>]*>[\s\S]*?<td class="text-break">\s*<i [^>]*><\/i>\s*<a href="([^"]*)">([^<]*)<\/a>/g)];
  const grid = [...html.matchAll(/<li class="pc-card[^"]*" data-kind="([^"]+)"[^>]*>[\s\S]*?<a href="([^"]*)" class="pc-card-link">[\s\S]*?<span class="pc-card-name">([^<]*)<\/span>/g)];
  return [...list, ...grid].map((m) => ({ kind: m[1] ?? '', href: decodeEntities(m[2] ?? ''), name: decodeEntities(m[3] ?? '') }));
}

export const namesIn = (html: string): string[] => rowsIn(html).map((r) => r.name);

/** The error page's way-back links: data-way-back kind → href. */
export function wayBackIn(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<a class="[^"]*" href="([^"]*)" data-way-back="([^"]+)">/g)) out[m[2] ?? ''] = decodeEntities(m[1] ?? '');
  return out;
}

export async function startBrowseApp(domain: DomainInfo, opts: WebAppOptions = {}): Promise<WebApp> {
  return startWebApp(domain, { ...opts, env: { LOGIN_MAX_PER_IP: '1000', ...opts.env } });
}

export async function signedIn(app: WebApp, username = 'alice'): Promise<HttpClient> {
  const client = app.client();
  await signInOk(client, username, DEMO_PASSWORD);
  return client;
}

/** A GET sent with the path exactly as written (fetch would resolve %2e%2e and the like before sending). */
export async function rawGet(client: HttpClient, path: string): Promise<{ status: number; text: string }> {
  const { request } = await import('node:http');
  const url = new URL(client.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { Accept: 'text/html', Cookie: client.jar.header() } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
