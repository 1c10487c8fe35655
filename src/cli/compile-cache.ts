import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the CLI keeps V8's compile cache, which cuts its start-up by reusing compiled code between runs.
 * Per user, like any cache: $XDG_CACHE_HOME/portcullis/compile-cache, else ~/.cache/…. Not the shared
 * temporary folder (another user could plant code there) and not the install folder (read-only for
 * an installed package or a container image). NODE_COMPILE_CACHE, when set, already chose a folder and
 * Node has turned the cache on; NODE_DISABLE_COMPILE_CACHE=1 turns it off. Undefined: leave it off.
 * Imports only Node built-ins: it runs before the cache is on.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined && env.NODE_DISABLE_COMPILE_CACHE !== '') return undefined;
  if (env.NODE_COMPILE_CACHE !== undefined && env.NODE_COMPILE_CACHE !== '') return undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'portcullis', 'compile-cache');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined; // no home folder (a uid without a passwd entry in a container): no cache
  }
  return home === '' || home === '/' ? undefined : join(home, '.cache', 'portcullis', 'compile-cache');
}
