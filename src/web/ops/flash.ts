/**
 * A one-time message for the next folder page (the no-JS forms answer 303 and the page says what happened),
 * kept in the server-side session and taken out by the first folder page that shows it.
 */
import type { RequestHandler } from 'express';

export interface Flash {
  kind: 'success' | 'danger' | 'warning';
  text: string;
  /** Item by item, for a delete of several where some failed. */
  details?: string[];
}

declare module 'express-session' {
  interface SessionData {
    flash: Flash;
  }
}

/** Moves a waiting flash into res.locals.flash for GET /browse pages (views/partials/ops-flash.ejs). */
export const takeFlash: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' && req.session?.flash) {
    res.locals.flash = req.session.flash;
    delete req.session.flash;
  }
  next();
};
