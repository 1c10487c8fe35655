import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';

/**
 * Asks for a password on the controlling terminal (/dev/tty, so it works while stdin is a pipe for
 * `put -`), with echo off. Resolves undefined when there is no terminal. Ctrl-C exits with 130.
 */
export async function readPasswordFromTerminal(prompt: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  let input: ReadStream;
  try {
    writeSync(fd, prompt);
    input = new ReadStream(fd);
  } catch {
    closeSync(fd);
    return undefined;
  }
  try {
    input.setRawMode(true);
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            input.off('data', onData);
            resolve(typed);
            return;
          }
          if (ch === '\u0003') {
            input.off('data', onData);
            reject(new PromptInterrupted());
            return;
          }
          if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
          else if (ch === '\u0015') typed = '';
          else typed += ch;
        }
      };
      input.on('data', onData);
      input.once('error', reject);
    });
  } finally {
    try {
      input.setRawMode(false);
    } catch {
      // the terminal went away
    }
    try {
      writeSync(fd, '\n');
    } catch {
      // the terminal went away
    }
    // The stream owns the descriptor now: destroying it closes /dev/tty.
    input.destroy();
  }
}

export class PromptInterrupted extends Error {
  override readonly name = 'PromptInterrupted';
  constructor() {
    super('interrupted');
  }
}
