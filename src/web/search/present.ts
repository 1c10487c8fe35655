/**
 * What a search answer says, shared by its HTML page and its NDJSON stream: each hit with its own link and its
 * folder's, the summary with the limit that cut it short, and the "Search deeper" link that raises that limit.
 */
import { DEFAULT_LANGUAGE, type Translator, translatorFor } from '../../i18n/index.js';
import type { Config } from '../../config/index.js';
import type { DriveRef } from '../../drives/index.js';
import { BadRequestError, said } from '../../errors/index.js';
import type { SearchHit, SearchLimit, SearchLimits, SearchSummary } from '../../files/index.js';
import { encodeSegments, fileHref, folderHref } from '../browse/listing.js';

export interface HitView {
  name: string;
  kind: 'file' | 'folder';
  /** Path of the hit inside the drive, with `/`. */
  path: string;
  href: string;
  folderHref: string;
  /** The folder's path inside the drive, or the drive's name at its top. */
  folderName: string;
  size: number;
  modified: string;
}

export interface EndView {
  results: number;
  visited: number;
  complete: boolean;
  limit?: SearchLimit;
  message: string;
  /** Which limit stopped the search (absent when it ran to the end). */
  note?: string;
  /** Raises the cut limit; absent when it is already at the administrator's maximum. */
  deeperHref?: string;
  ms: number;
}

export function hitView(drive: DriveRef, base: string[], hit: SearchHit): HitView {
  const folder = [...base, ...hit.folder];
  const item = [...folder, hit.name];
  return {
    name: hit.name,
    kind: hit.type === 'dir' ? 'folder' : 'file',
    path: item.join('/'),
    href: hit.type === 'dir' ? folderHref(drive, item) : fileHref(drive, item),
    folderHref: folderHref(drive, folder),
    folderName: folder.length === 0 ? drive.name : folder.join(' / '),
    size: hit.size,
    modified: Number.isNaN(hit.mtime.getTime()) ? '' : hit.mtime.toISOString(),
  };
}

/** The query parameter of each limit ("Search deeper" raises the one that cut). */
const PARAM: Record<SearchLimit, 'seconds' | 'depth' | 'visited' | 'results'> = { time: 'seconds', depth: 'depth', entries: 'visited', results: 'results' };
/** How much "Search deeper" raises the limit that cut a search short. */
const DEEPER_STEP = 4;

interface LimitValues {
  seconds: number;
  depth: number;
  visited: number;
  results: number;
}

function configured(config: Config): LimitValues {
  const s = config.search;
  return { seconds: s.maxSeconds, depth: s.maxDepth, visited: s.maxVisited, results: s.maxResults };
}

/**
 * The limits of one search: the configured ones, or what the request asks for (`seconds`, `depth`, `visited`,
 * `results`), between 1 and SEARCH_DEEPER_MAX_FACTOR times the setting. Anything else is a 400.
 */
export function requestedLimits(config: Config, query: Record<string, unknown>): LimitValues {
  const base = configured(config);
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof LimitValues)[]) {
    const raw = query[key];
    if (raw === undefined || raw === '') continue;
    const n = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    const max = base[key] * config.search.deeperMaxFactor;
    if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestError(...said('errors.search.badLimit', { key, max: String(max) }));
    out[key] = n;
  }
  return out;
}

export function toSearchLimits(v: LimitValues): SearchLimits {
  return { maxMs: v.seconds * 1000, maxDepth: v.depth, maxVisited: v.visited, maxResults: v.results };
}

function noteOf(limit: SearchLimit, v: LimitValues, tn: Translator['tn']): string {
  switch (limit) {
    case 'time':
      return tn('searchEnd.timeNote', { seconds: tn('searchEnd.seconds', { count: v.seconds }) });
    case 'depth':
      return tn('searchEnd.depthNote', { levels: tn('searchEnd.levels', { count: v.depth }) });
    case 'entries':
      return tn('searchEnd.entriesNote', { items: tn('searchEnd.items', { count: v.visited }) });
    case 'results':
      return tn('searchEnd.resultsNote', { results: tn('searchEnd.results', { count: v.results }) });
  }
}

/** The summary; `searchUrl` is this search's own URL without query (the deeper link adds to it). */
export function endView(config: Config, summary: SearchSummary, v: LimitValues, searchUrl: string, query: string, tab: string | undefined, tn: Translator['tn'] = translatorFor(DEFAULT_LANGUAGE).tn): EndView {
  const message = summary.results === 0 ? tn('searchEnd.nothing') : tn('searchEnd.found', { results: tn('searchEnd.results', { count: summary.results }) });
  const end: EndView = { results: summary.results, visited: summary.visited, complete: summary.complete, message, ms: summary.ms };
  if (summary.limit === undefined) return end;
  end.limit = summary.limit;
  end.note = noteOf(summary.limit, v, tn);
  const key = PARAM[summary.limit];
  const max = configured(config)[key] * config.search.deeperMaxFactor;
  if (v[key] < max) {
    const raised = { ...v, [key]: Math.min(max, v[key] * DEEPER_STEP) };
    const params = new URLSearchParams({ q: query });
    const base = configured(config);
    for (const k of Object.keys(raised) as (keyof LimitValues)[]) if (raised[k] !== base[k]) params.set(k, String(raised[k]));
    if (tab !== undefined) params.set('tab', tab);
    end.deeperHref = `${searchUrl}?${params.toString()}`;
  }
  return end;
}

/** `/search/<drive>/<segments…>/`: where a folder's search lives. */
export function searchHref(drive: DriveRef, segments: string[]): string {
  const path = encodeSegments(segments);
  return `/search/${encodeURIComponent(drive.id)}/${path}${path ? '/' : ''}`;
}
