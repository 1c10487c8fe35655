import type { Command } from './types.js';

export const notImplemented =
  (name: string): Command =>
  async () => {
    process.stderr.write(`portcullis ${name}: not implemented yet\n`);
    return 1;
  };
