/**
 * Every page's appearance (res.locals.appearance, from res.locals.userSettings) and the navbar's "Colour mode"
 * control: POST /settings/colour-mode saves the mode and goes back to the page it was posted from, so it works
 * without JavaScript; with it (src/client/colour-mode.ts) the page switches at once and posts for JSON.
 */
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { BadRequestError, said } from '../../errors/index.js';
import { COLOUR_MODES, type UserData, type UserSettings } from '../../userdata/index.js';
import { requireUser } from '../auth/current-user.js';
import { saveSettings, userSettingsOf } from '../settings/locals.js';
import { appearanceFor } from './appearance.js';

/** A path on this site to return to; anything else (another origin, //host, a backslash trick) goes home. */
export function safeBackPath(back: unknown): string {
  if (typeof back !== 'string' || !back.startsWith('/') || back.startsWith('//') || back.includes('\\')) return '/';
  // Control characters (a header-splitting attempt) never belong in a path we redirect to.
  if ([...back].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  return back;
}

export function themeRoutes(config: Config, userData: UserData): Router {
  const router = Router();

  router.use((req, res, next) => {
    const settings = res.locals.userSettings as UserSettings | undefined;
    res.locals.appearance = appearanceFor(config.site, settings);
    res.locals.currentPath = req.originalUrl;
    next();
  });

  router.post('/settings/colour-mode', requireUser, async (req, res, next) => {
    try {
      const body = req.body as Record<string, unknown>;
      const mode = COLOUR_MODES.find((m) => m === body.colourMode);
      if (!mode) throw new BadRequestError(...said('errors.form.badChoice.colourMode'));
      await saveSettings(userData, req, res, { colourMode: mode });
      if (req.accepts(['html', 'json']) === 'json') return res.json({ colourMode: userSettingsOf(res).colourMode });
      res.redirect(303, safeBackPath(body.back));
    } catch (err) {
      next(err);
    }
  });

  return router;
}
