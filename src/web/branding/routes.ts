import { Router } from 'express';
import type { Config } from '../../config/index.js';
import type { BrandingAssets } from './assets.js';
import { loginStylesheet } from './login-background.js';
import { webAppManifest } from './manifest.js';

const MAX_AGE_MS = 60 * 60 * 1000;

/** /branding/<file>, the login backgrounds and their stylesheet, and /manifest.webmanifest; all public. */
export function brandingRoutes(config: Config, assets: BrandingAssets, themeColor: (theme: string) => string): Router {
  const router = Router();
  const css = loginStylesheet(assets.backgrounds.length);
  const manifest = JSON.stringify(webAppManifest(config, themeColor(config.site.theme)));

  router.get('/manifest.webmanifest', (_req, res) => {
    res.type('application/manifest+json').set('Cache-Control', 'public, max-age=3600').send(manifest);
  });
  router.get('/branding/login.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(css);
  });
  router.get('/branding/login-background/:n', (req, res, next) => {
    const n = /^\d{1,4}$/.test(req.params.n) ? Number(req.params.n) : -1;
    const file = assets.backgrounds[n];
    if (file === undefined) return next();
    res.sendFile(file, { maxAge: MAX_AGE_MS, dotfiles: 'allow' });
  });
  router.get('/branding/:name', (req, res, next) => {
    const file = assets.files.get(req.params.name);
    if (file === undefined) return next();
    // dotfiles: the admin's BRANDING_DIR may sit under a dot-folder (e.g. /srv/.config/portcullis).
    res.sendFile(file, { maxAge: MAX_AGE_MS, dotfiles: 'allow' });
  });
  return router;
}
