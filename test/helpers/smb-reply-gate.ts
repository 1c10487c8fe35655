// A relay (smb-relay.ts) for search-cancellation tests. It counts the commands the client sends (QUERY_DIRECTORY,
// CANCEL: seen on the wire, so the app's own counters are checked against what really left it) and, once armed,
// holds the server's replies: the requests reach the server, but to the client they stay in flight for as long
// as the test wants, as on a slow file server. Cleartext SMB2 only (signed is fine; an encrypted session hides
// the commands).
import { commandsIn, startSmbRelay } from './smb-relay.js';

export const Cmd = { QUERY_DIRECTORY: 0x000e, CANCEL: 0x000c } as const;

export interface SmbReplyGate {
  port: number;
  /** Commands the client has sent so far, by command code. */
  sent(command: number): number;
  /** Replies waiting behind the gate. */
  readonly held: number;
  /** Holds every server→client frame from now on. */
  hold(): void;
  /** Holds every server→client frame once the client has sent its `n`th QUERY_DIRECTORY (the reply to it included). */
  holdFromQuery(n: number): void;
  /** Lets everything through again, held frames first. */
  release(): void;
  close(): Promise<void>;
}

export async function startSmbReplyGate(opts: { port: number; target: { host: string; port: number } }): Promise<SmbReplyGate> {
  const counts = new Map<number, number>();
  let holding = false;
  let holdAt = Infinity;
  const waiting: (() => void)[] = [];
  const relay = await startSmbRelay({
    port: opts.port,
    target: opts.target,
    onFrame: (frame, direction, forward) => {
      if (direction === 'toServer') {
        for (const c of commandsIn(frame)) counts.set(c, (counts.get(c) ?? 0) + 1);
        // Armed before the frame goes on, so the server's reply to it is already held.
        if ((counts.get(Cmd.QUERY_DIRECTORY) ?? 0) >= holdAt) holding = true;
        return forward(frame);
      }
      if (holding) waiting.push(() => forward(frame));
      else forward(frame);
    },
  });
  return {
    port: relay.port,
    sent: (command) => counts.get(command) ?? 0,
    get held() {
      return waiting.length;
    },
    hold() {
      holding = true;
    },
    holdFromQuery(n) {
      holdAt = n;
    },
    release() {
      holding = false;
      holdAt = Infinity;
      for (const send of waiting.splice(0)) send();
    },
    close: () => relay.close(),
  };
}
