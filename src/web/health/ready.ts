// Readiness: can this instance serve sign-ins right now? The session store answers and LDAP binds; with
// ?deep=1 every configured SMB server's port answers too. Details only for local or admin requests.
import { randomBytes } from 'node:crypto';
import type { Store } from 'express-session';
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { checkTcp, smbTargets } from '../../health/checks.js';
import { hasAdminToken, isLocalRequest } from './admin-access.js';

export interface ReadyCheck {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export type ReadinessChecks = (deep: boolean) => Promise<ReadyCheck[]>;

export interface ReadinessSources {
  store?: Pick<Store, 'get'> | undefined;
  directory?: { check(): Promise<void> } | undefined;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err)) || 'failed';

async function timed(name: string, timeoutMs: number, work: () => Promise<string>): Promise<ReadyCheck> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, detail, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { name, ok: false, detail: describe(err), ms: Math.round(performance.now() - start) };
  } finally {
    clearTimeout(timer);
  }
}

export function readinessChecks(config: Config, sources: ReadinessSources): ReadinessChecks {
  const { store, directory } = sources;
  const shallow = async (): Promise<ReadyCheck[]> =>
    Promise.all([
      store
        ? timed('Session store', 5000, () =>
            new Promise<string>((resolve, reject) => {
              // A lookup of an id that cannot exist: a real round trip to SQLite or Redis, without side effects.
              store.get(`readyz-${randomBytes(8).toString('hex')}`, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve('answers')));
            }),
          )
        : Promise.resolve({ name: 'Session store', ok: true, detail: 'not in use (sign-in not configured)', ms: 0 }),
      directory
        ? timed('Directory (LDAP)', config.ldap.timeoutMs * Math.max(1, config.ldap.urls.length) + 1000, async () => {
            await directory.check();
            return 'the service account binds';
          })
        : Promise.resolve({ name: 'Directory (LDAP)', ok: true, detail: 'not configured', ms: 0 }),
    ]);
  return async (deep) => {
    const [base, smb] = await Promise.all([
      shallow(),
      deep
        ? Promise.all(
            smbTargets(config).map(async (t) => {
              const r = await checkTcp(t.endpoint, Math.min(config.smb.timeoutMs, 5000), `File server ${t.names.join(', ')}`);
              return { name: r.name, ok: r.state === 'pass', detail: `${r.target}: ${r.detail}`, ms: r.ms };
            }),
          )
        : Promise.resolve([]),
    ]);
    return [...base, ...smb];
  };
}

/** Concurrent probes share one run per depth, so a busy load balancer cannot multiply binds against the DC. */
export function sharedReadiness(checks: ReadinessChecks): ReadinessChecks {
  const running = new Map<boolean, Promise<ReadyCheck[]>>();
  return (deep) => {
    let p = running.get(deep);
    if (!p) {
      p = checks(deep).finally(() => running.delete(deep));
      running.set(deep, p);
    }
    return p;
  };
}

export function readyRoutes(checks: ReadinessChecks, adminToken: string | undefined): Router {
  const router = Router();
  router.get('/readyz', async (req, res) => {
    const deep = req.query.deep === '1' || req.query.deep === 'true';
    const results = await checks(deep);
    const ok = results.every((c) => c.ok);
    res.status(ok ? 200 : 503);
    res.setHeader('Cache-Control', 'no-store');
    const status = ok ? 'ready' : 'unready';
    if (isLocalRequest(req) || hasAdminToken(req, adminToken)) res.json({ status, deep, checks: results });
    else res.json({ status });
  });
  return router;
}
