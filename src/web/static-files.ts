import { existsSync, readdirSync } from 'node:fs';
import express, { type RequestHandler } from 'express';

/**
 * express.static for `dir`, asked only about paths under what the folder holds at start-up (build/, css/,
 * robots.txt): unguarded, every page, listing and download first cost a failed stat() of public/<path>, 14% of
 * the app's CPU under a 50-session load. The folder's top level is fixed for a process's life (built before start).
 */
export function staticFiles(dir: string, options: Parameters<typeof express.static>[1]): RequestHandler {
  const serve = express.static(dir, options);
  const top = new Set(existsSync(dir) ? readdirSync(dir) : []);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const first = req.path.slice(1).split('/', 1)[0] ?? '';
    let name: string;
    try {
      name = decodeURIComponent(first);
    } catch {
      return next();
    }
    if (!top.has(name)) return next();
    serve(req, res, next);
  };
}
