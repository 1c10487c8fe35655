/**
 * "Connect to server": `GET /servers` is a small form (type a server name), `GET /servers/<host>` lists that
 * server's shares, each a link to `/browse/@<host>/<share>/`. The host is checked against the allowed servers
 * before anything touches the network (403 otherwise); the list is the server's answer to the user's own
 * credential, through their pooled connection.
 */
import { translatorOf } from '../i18n/middleware.js';
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { allowServer, defaultServers, driveIdPath, serverShareDrive } from '../../drives/index.js';
import { BadRequestError, toHttpError } from '../../errors/index.js';
import type { FileService } from '../../files/index.js';
import { requireUser } from '../auth/current-user.js';
import { credentialFor } from '../auth/current-user.js';
import { serverRefused } from '../drive-target.js';

const IPC = 'IPC$';

/** Exact names from the allowed list (no wildcards), offered as links under the form. */
function knownServers(config: Config, user: Parameters<typeof defaultServers>[1]): string[] {
  return (config.servers.allowed ?? defaultServers(config, user)).filter((s) => !/[*?]/u.test(s)).sort();
}

export function serverRoutes(config: Config, files: FileService): Router {
  const router = Router();

  router.get('/servers', requireUser, (req, res, next) => {
    const host = typeof req.query.host === 'string' ? req.query.host.trim().replace(/^[\\/]+/u, '').replace(/[\\/]+$/u, '') : undefined;
    if (host !== undefined && host !== '') return res.redirect(303, `/servers/${encodeURIComponent(host)}`);
    const user = req.session.user;
    if (!user) return next(new BadRequestError());
    res.setHeader('Cache-Control', 'no-store');
    res.render('pages/servers', { title: translatorOf(res).t('nav.connectToServer'), server: undefined, shares: undefined, known: knownServers(config, user) });
  });

  router.get('/servers/:host', requireUser, async (req, res, next) => {
    const user = req.session.user;
    const name = String(req.params.host);
    try {
      if (!user) throw new BadRequestError();
      const allowed = allowServer(config, user, name);
      if ('refused' in allowed) throw serverRefused(allowed.refused);
      const { server } = allowed;
      const shares = await files.listShares({ sessionId: req.sessionID, credential: () => credentialFor(req) }, serverShareDrive(server, IPC));
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/servers', {
        title: translatorOf(res).t('servers.sharesOn', { server: server.name }),
        server: server.name,
        known: knownServers(config, user),
        shares: shares
          .filter((s) => s.type === 'disk')
          .map((s) => ({ ...s, href: `/browse/${driveIdPath(serverShareDrive(server, s.name).id)}/` })),
      });
    } catch (err) {
      next(toHttpError(err, name));
    }
  });

  return router;
}
