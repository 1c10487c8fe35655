// JSON calls to the operations API (ops-contract): CSRF in X-CSRF-Token as uploads send it, errors as ApiError.

import { languageHeader, msg } from '../i18n.js';

export type Resolution = 'skip' | 'replace' | 'keep-both';

export interface Job {
  id: string;
  kind: 'delete' | 'copy' | 'move';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  total: { items: number; bytes: number } | null;
  done: { items: number; bytes: number };
  current: string | null;
  /** `text`: the message in the page's language (the API translates it); `message`: English. */
  failures: { path: string; code: string; message: string }[];
  results: { from: string; to: string | null; action: string }[];
  startedAt: string;
  finishedAt: string | null;
}

export interface Measure {
  items: number;
  files: number;
  folders: number;
  bytes: number;
  complete: boolean;
  limit?: 'entries' | 'time';
}

export interface Properties {
  name: string;
  path: string;
  type: 'file' | 'folder';
  size: number;
  created: string;
  modified: string;
  accessed: string;
  changed: string;
  attributes: { readOnly: boolean; hidden: boolean; system: boolean; archive: boolean };
  owner: { sid: string; name: string | null } | null;
  unc: string;
  measure?: Measure;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrf(token: string): void {
  csrfToken = token;
}

function errorOf(status: number, body: Record<string, unknown>): ApiError {
  const err = body.error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : String(status);
  const fallback =
    status === 403 ? msg('ops.forbidden') : status === 404 ? msg('ops.notFound') : status >= 500 ? msg('ops.serverFailed') : msg('ops.serverAnswered', { status: String(status) });
  return new ApiError(status, code, typeof err?.message === 'string' ? err.message : fallback, body);
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...languageHeader(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network', msg('ops.network'), {});
  }
  let parsed: Record<string, unknown> = {};
  try {
    const v: unknown = await res.json();
    if (typeof v === 'object' && v !== null) parsed = v as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, an empty body): the status says enough.
  }
  if (!res.ok) throw errorOf(res.status, parsed);
  return parsed as T;
}

/** `a/b` for the API from path segments. */
export const joinPath = (segments: string[]): string => segments.join('/');

/** An API failure as one sentence for the user. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : msg('ops.didNotWork');
}
