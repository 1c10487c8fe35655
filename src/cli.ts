#!/usr/bin/env node
// The `portcullis` bin. It imports nothing but Node built-ins before turning on V8's compile cache, then
// loads the real entry: modules compiled after enableCompileCache() are cached, those before are not.
import { enableCompileCache } from 'node:module';
import { compileCacheDir } from './cli/compile-cache.js';

const dir = compileCacheDir(process.env);
if (dir !== undefined) {
  try {
    // Never fatal: an unwritable directory only costs the speed-up (Node reports it in the result and
    // otherwise carries on compiling as usual).
    enableCompileCache(dir);
  } catch {
    // an older Node without it, or a directory that cannot be created
  }
}
await import('./cli/main.js');
