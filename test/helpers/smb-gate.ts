// A relay (smb-relay.ts) that counts the client's QUERY_DIRECTORY requests and, from a chosen one on, holds every
// frame the client sends until released: a test can then act (abort an HTTP request) while the app's directory
// walk is provably waiting mid-way, and afterwards count what it still asked for.
import { commandsIn, startSmbRelay } from './smb-relay.js';

const QUERY_DIRECTORY = 0x000e;

export interface SmbGate {
  port: number;
  /** QUERY_DIRECTORY requests the client has sent (held ones included). */
  readonly queries: number;
  /** Frames waiting behind the gate. */
  readonly held: number;
  /** Lets everything through from now on, held frames first. */
  release(): void;
  /** Holds again, from the client's `n`th QUERY_DIRECTORY counted from now (1: the next one). */
  holdFrom(n: number): void;
  close(): Promise<void>;
}

export async function startSmbGate(opts: { port: number; target: { host: string; port: number }; holdFromQuery: number }): Promise<SmbGate> {
  let queries = 0;
  let holdAt = opts.holdFromQuery;
  let open = true;
  const waiting: (() => void)[] = [];
  const relay = await startSmbRelay({
    port: opts.port,
    target: opts.target,
    onFrame: (frame, direction, forward) => {
      if (direction === 'toClient') return forward(frame);
      queries += commandsIn(frame).filter((c) => c === QUERY_DIRECTORY).length;
      if (open && holdAt > 0 && queries >= holdAt) open = false;
      if (open) forward(frame);
      else waiting.push(() => forward(frame));
    },
  });
  return {
    port: relay.port,
    get queries() {
      return queries;
    },
    get held() {
      return waiting.length;
    },
    release() {
      open = true;
      holdAt = 0;
      for (const send of waiting.splice(0)) send();
    },
    holdFrom(n: number) {
      holdAt = queries + n;
    },
    close: () => relay.close(),
  };
}
