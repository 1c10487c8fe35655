import express, { type Express } from 'express';
import { type Config, rootPath } from './config/index.js';
import { createLogger, type Logger } from './log.js';
import { singleFlight, type StatusChecks, statusChecks } from './web/health/checks.js';
import { healthRoutes } from './web/health/routes.js';
import { errorHandler, notFound, requestContext, requestLog, securityHeaders, type UnexpectedErrorReport } from './web/middleware/index.js';
import { siteLocals } from './web/site.js';
import { layoutEngine } from './web/view-engine.js';

export interface AppDeps {
  logger?: Logger;
  /** Replaces the status page's real LDAP/SMB checks (tests). */
  statusChecks?: StatusChecks;
  /** Routes added after the app's own and before the 404 and error handlers (tests, feature areas). */
  mount?: (app: Express) => void;
  onUnexpectedError?: (report: UnexpectedErrorReport) => void;
}

/** Builds the Express app without listening, so tests can run it on an ephemeral port. */
export function createApp(config: Config, deps: AppDeps = {}): Express {
  const logger = deps.logger ?? createLogger(config.log);
  const app = express();
  const views = rootPath('views');

  app.disable('x-powered-by');
  app.set('trust proxy', config.server.trustProxy);
  app.set('views', views);
  app.engine('ejs', layoutEngine(views));
  app.set('view engine', 'ejs');
  app.locals.site = siteLocals(config);

  app.use(requestContext());
  app.use(requestLog(logger));
  app.use(securityHeaders());

  app.use(express.static(rootPath('public'), { index: false }));
  app.use('/branding', express.static(rootPath('themes', 'branding'), { index: false }));

  app.use(healthRoutes(deps.statusChecks ?? singleFlight(statusChecks(config))));
  deps.mount?.(app);

  app.use(notFound());
  app.use(errorHandler({ logger, ...(deps.onUnexpectedError ? { onUnexpected: deps.onUnexpectedError } : {}) }));
  return app;
}
