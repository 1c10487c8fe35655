// Does one user's search slow other users' listings (issue 13, "Fair")? Shared by `bench search` and `bench load`:
// signed-in students loop over their listings, one request at a time each, for a phase's seconds, alone or while
// alice searches the whole Shared drive back to back: a query matching nothing, so every search reads all of it
// (its 10,000-entry folder and the rest). The students' listings go over their own SMB connections, the search
// over alice's; what they share is the app's event loop and the file server.
import type { Agent } from 'node:http';
import { hit, MAX_LOOPS_PER_SECOND, type Hit } from './hit.js';
import { percentile } from './proc-stats.js';

export const SEARCH_PATH = '/search/shared/?q=zz-no-such-name-zz';
/**
 * The app's own search time limit for these runs (SEARCH_MAX_SECONDS): a search of the whole drive under load
 * must read all of it rather than stop at the default 30 s, or the searches would not be alike.
 */
export const SEARCH_MAX_SECONDS = 120;
/** A search's request deadline: past the app's limit, so a search the app ends is told apart from a hang. */
const SEARCH_TIMEOUT_MS = (SEARCH_MAX_SECONDS + 30) * 1000;

export interface FairnessSetup {
  port: number;
  agent: Agent;
  /** The searcher's session cookie (alice: she can read the Shared drive). */
  searcher: string;
  /** The listing users' session cookies. */
  listers: string[];
  /** The paths each lister loops over, each user starting at a different one. */
  listings: string[];
  phaseS: number;
}

export interface FairnessPhase {
  name: string;
  searching: boolean;
  seconds: number;
  /** Listing times of the good answers (200). */
  ms: number[];
  /** Listings that failed, by status (and the error page's message). */
  errors: Map<string, number>;
  /** Searches that read the whole drive: their times, and the entries each read. */
  searches: number[];
  visited: number[];
  /** Searches that did not: cut short by a limit of the app's (which one), busy, failed. */
  searchFailures: Map<string, number>;
}

const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
const label = (h: Hit): string => `${h.status === 0 ? 'no answer' : h.status}${h.why ? ` (${h.why})` : ''}`;

/** What a search's NDJSON stream ended with: its `end` line, or why there was none. */
function searchOutcome(h: Hit): { ok: true; visited: number } | { ok: false; why: string } {
  if (h.status !== 200) return { ok: false, why: label(h) };
  const last = h.tail.trimEnd().split('\n').at(-1) ?? '';
  let end: { type?: string; complete?: boolean; limit?: string; visited?: number; cancelled?: boolean; message?: string };
  try {
    end = JSON.parse(last) as typeof end;
  } catch {
    return { ok: false, why: 'no end line' };
  }
  if (end.type !== 'end') return { ok: false, why: `${end.type ?? '?'} line${end.message ? ` (${end.message})` : ''}` };
  if (end.limit !== undefined) return { ok: false, why: `cut short by the ${end.limit} limit` };
  if (end.cancelled === true || end.complete === false) return { ok: false, why: 'cancelled or incomplete' };
  return { ok: true, visited: end.visited ?? NaN };
}

/** One phase: every lister loops for `phaseS` seconds (and at most MAX_LOOPS_PER_SECOND loops a second). */
export async function fairnessPhase(s: FairnessSetup, name: string, withSearch: boolean): Promise<FairnessPhase> {
  const p: FairnessPhase = { name, searching: withSearch, seconds: 0, ms: [], errors: new Map(), searches: [], visited: [], searchFailures: new Map() };
  const t0 = performance.now();
  const until = t0 + s.phaseS * 1000;
  const maxLoops = Math.ceil(s.phaseS * MAX_LOOPS_PER_SECOND);
  let searching = withSearch;
  const searcher = (async () => {
    // Back to back until the listers are done; the search in flight then ends on its own, so the next phase
    // starts without it. Bounded in count, and each search by its deadline.
    for (let i = 0; searching && i < maxLoops; i++) {
      const h = await hit(s.agent, s.port, 'GET', SEARCH_PATH, { Cookie: s.searcher, Accept: 'application/x-ndjson' }, undefined, SEARCH_TIMEOUT_MS);
      const out = searchOutcome(h);
      if (out.ok) {
        p.searches.push(h.ms);
        p.visited.push(out.visited);
      } else bump(p.searchFailures, out.why);
    }
  })();
  await Promise.all(
    s.listers.map(async (cookie, u) => {
      const headers = { Cookie: cookie, Accept: 'text/html' };
      for (let loop = 0; loop < maxLoops && performance.now() < until; loop++) {
        for (let j = 0; j < s.listings.length && performance.now() < until; j++) {
          const h = await hit(s.agent, s.port, 'GET', s.listings[(u + j) % s.listings.length]!, headers);
          if (h.status === 200) p.ms.push(h.ms);
          else bump(p.errors, label(h));
        }
      }
    }),
  );
  p.seconds = (performance.now() - t0) / 1000;
  searching = false;
  await searcher;
  return p;
}

/**
 * Phases alternated, alone and searching, so drift in the machine's load (it may be shared) falls on both sides:
 * `pattern` false for alone, true for during searches.
 */
export async function fairnessPhases(s: FairnessSetup, pattern: boolean[]): Promise<FairnessPhase[]> {
  const phases: FairnessPhase[] = [];
  let alone = 0;
  let during = 0;
  for (const withSearch of pattern) phases.push(await fairnessPhase(s, withSearch ? `during searches #${++during}` : `alone #${++alone}`, withSearch));
  return phases;
}

const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const counts = (m: Map<string, number>): string => [...m].map(([k, n]) => `${n}×${k}`).join(', ');

/** A table of the phases, each line prefixed by `indent`, then the listing p99 during searches against alone. */
export function fairnessLines(phases: FairnessPhase[], indent = ''): string[] {
  const lines = [`${indent}phase                   listings   req/s    p50 ms   p99 ms  errors  searches  search p50 ms`];
  for (const p of phases) {
    const searchP50 = p.searches.length > 0 ? percentile(p.searches, 50).toFixed(0) : '-';
    const errors = [...p.errors.values()].reduce((a, b) => a + b, 0);
    lines.push(`${indent}${p.name.padEnd(22)} ${String(p.ms.length).padStart(9)} ${f(p.ms.length / p.seconds).padStart(7)} ${f(percentile(p.ms, 50)).padStart(7)}  ${f(percentile(p.ms, 99)).padStart(7)} ${String(errors).padStart(7)} ${String(p.searches.length).padStart(9)} ${searchP50.padStart(14)}`);
  }
  const pooled = (searching: boolean): number[] => phases.filter((p) => p.searching === searching).flatMap((p) => p.ms);
  const alone = pooled(false);
  const during = pooled(true);
  if (alone.length > 0 && during.length > 0) {
    const [a99, d99, a50, d50] = [percentile(alone, 99), percentile(during, 99), percentile(alone, 50), percentile(during, 50)];
    lines.push(`${indent}listing p99 during searches vs alone: ${f(d99 / a99, 2)}× (${f(d99, 0)} vs ${f(a99, 0)} ms, phases pooled; p50 ${f(d50 / a50, 2)}×, ${f(d50, 0)} vs ${f(a50, 0)} ms)`);
  }
  const searches = phases.flatMap((p) => p.searches);
  const visited = phases.flatMap((p) => p.visited);
  if (searches.length > 0) lines.push(`${indent}searches: ${searches.length}, p50 ${f(percentile(searches, 50), 0)} ms, max ${f(Math.max(...searches), 0)} ms, each reading ${f(percentile(visited, 50), 0)} entries`);
  const listingErrors = new Map<string, number>();
  const searchFailures = new Map<string, number>();
  for (const p of phases) {
    for (const [k, n] of p.errors) listingErrors.set(k, (listingErrors.get(k) ?? 0) + n);
    for (const [k, n] of p.searchFailures) searchFailures.set(k, (searchFailures.get(k) ?? 0) + n);
  }
  if (listingErrors.size > 0) lines.push(`${indent}listing errors: ${counts(listingErrors)}`);
  if (searchFailures.size > 0) lines.push(`${indent}searches that did not read the whole drive: ${counts(searchFailures)}`);
  return lines;
}
