// GET /settings shows the user's settings in a plain form; POST /settings saves what it carries (CSRF-checked
// like every post) and comes back with "Settings saved.", so it works without JavaScript.
import { Router } from 'express';
import { darkOnlyThemes, whyNotOffered } from '../../config/index.js';
import { BadRequestError, said } from '../../errors/index.js';
import { LANGUAGE_NAMES } from '../../i18n/index.js';
import { translatorOf } from '../i18n/middleware.js';
import { COLOUR_MODES, FILE_CLICKS, LANGUAGE_CHOICES, ORDERS, settingsPatchFromForm, SORTS, UPLOAD_CONFLICTS, type UserData, VIEWS } from '../../userdata/index.js';
import { requireUser } from '../auth/current-user.js';
import { saveSettings, userSettingsOf } from './locals.js';

/** `themes`: the ones users may choose (THEMES_ALLOWED); a theme outside them is refused like any unknown value. */
export function settingsRoutes(userData: UserData, themes: readonly string[]): Router {
  const router = Router();
  router.use('/settings', requireUser);

  router.get('/settings', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.render('pages/settings', {
      title: translatorOf(res).t('settings.title'),
      settings: userSettingsOf(res),
      saved: req.query.saved === '1',
      choices: { views: VIEWS, sorts: SORTS, orders: ORDERS, fileClicks: FILE_CLICKS, uploadConflicts: UPLOAD_CONFLICTS, colourModes: COLOUR_MODES, languages: LANGUAGE_CHOICES, languageNames: LANGUAGE_NAMES, themes, darkOnlyThemes: darkOnlyThemes() },
      canSave: Boolean(req.session.user?.guid),
    });
  });

  router.post('/settings', async (req, res, next) => {
    try {
      const body = req.body as Record<string, unknown>;
      // A shipped theme left out for its contrast (themes/themes.json "notOffered"): say why, not just "not a choice".
      const why = typeof body.theme === 'string' ? whyNotOffered(body.theme) : undefined;
      if (why !== undefined) throw new BadRequestError(...said('errors.form.themeNotOffered', { theme: JSON.stringify(body.theme), why }));
      await saveSettings(userData, req, res, settingsPatchFromForm(body, themes));
      if (req.accepts(['html', 'json']) === 'json') return res.json({ settings: userSettingsOf(res) });
      res.redirect(303, '/settings?saved=1');
    } catch (err) {
      next(err);
    }
  });

  return router;
}
