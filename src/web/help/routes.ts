// GET /help (issue 13): how to upload, search and use the keyboard, the supported browsers, the version, and the
// organisation's own help link and support address (HELP_URL, SUPPORT_EMAIL). Open to signed-out users too: it
// says nothing about anyone's files, and someone who cannot sign in is exactly who looks for the support address.
import { translatorOf } from '../i18n/middleware.js';
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { formatBytes } from '../../format/bytes.js';
import { appVersion } from '../../mail/report.js';

export function helpRoutes(config: Config): Router {
  const router = Router();
  router.get('/help', (_req, res) => {
    res.render('pages/help', {
      title: translatorOf(res).t('help.title'),
      version: appVersion(),
      helpUrl: config.help.url,
      supportEmail: config.help.supportEmail,
      uploadMax: formatBytes(config.upload.maxBytes, translatorOf(res).lang),
    });
  });
  return router;
}
