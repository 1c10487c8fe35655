import cookieParser from 'cookie-parser';
import express, { type Express, type Request, type Response } from 'express';
import { type Config, rootPath } from './config/index.js';
import { createLogger, type Logger } from './log.js';
import { singleFlight, type StatusChecks, statusChecks } from './health/checks.js';
import { healthRoutes } from './web/health/routes.js';
import { admission, errorHandler, errorReporting, notFound, requestContext, requestLog, securityHeaders, type UnexpectedErrorReport } from './web/middleware/index.js';
import type { ErrorReporter } from './mail/index.js';
import { Metrics, metricsRoutes } from './web/health/metrics.js';
import { type ReadinessChecks, readinessChecks, readyRoutes, sharedReadiness } from './web/health/ready.js';
import type { Services } from './services.js';
import { currentUser, signOutOnRejectedCredentials } from './web/auth/current-user.js';
import { csrfProtection } from './web/auth/csrf.js';
import { decideCookieSecurity } from './web/cookie-policy.js';
import { authRoutes } from './web/auth/routes.js';
import { OidcRelyingParty } from './web/auth/oidc-client.js';
import { OIDC_START_PATH, oidcRoutes } from './web/auth/oidc-routes.js';
import { startDelegatedSession } from './web/auth/delegated-session.js';
import { registerDelegation } from './web/auth/delegation.js';
import { negotiateRoutes } from './web/auth/negotiate-routes.js';
import { absoluteLifetime, countActiveSessions, sessionMiddleware } from './web/auth/session-middleware.js';
import { browseRoutes } from './web/browse/routes.js';
import { liveRoutes } from './web/live/routes.js';
import { searchRoutes } from './web/search/routes.js';
import { serverRoutes } from './web/servers/routes.js';
import { folderRoutes, opsFormRoutes, takeFlash } from './web/ops/index.js';
import { canWriteLocals, filesApiRoutes } from './web/api/files-routes.js';
import { jobsApiRoutes } from './web/api/jobs-routes.js';
import { uploadRoutes } from './web/transfer/upload-routes.js';
import { transferRoutes } from './web/transfer/routes.js';
import { propertiesRoutes } from './web/api/properties-routes.js';
import { siteLocals } from './web/site.js';
import { userDataLocals } from './web/settings/locals.js';
import { settingsRoutes } from './web/settings/routes.js';
import { appearanceFor } from './web/theme/appearance.js';
import { themeRoutes } from './web/theme/routes.js';
import { bookmarkRoutes } from './web/bookmarks/routes.js';
import { helpRoutes } from './web/help/routes.js';
import { shortcutRows } from './format/shortcuts.js';
import { staticFiles } from './web/static-files.js';
import { brandingAssets, brandingRoutes, brandLocals, loginBackground, themeColors } from './web/branding/index.js';
import { fragmentCache, layoutEngine } from './web/view-engine.js';
import { languageHelpers, languageLocals } from './web/i18n/middleware.js';
import { DEFAULT_LANGUAGE } from './i18n/index.js';

export interface AppDeps {
  logger?: Logger;
  /** Replaces the status page's real LDAP/SMB checks (tests). */
  statusChecks?: StatusChecks;
  /** Routes added after the app's own and before the 404 and error handlers (tests, feature areas). */
  mount?: (app: Express) => void;
  onUnexpectedError?: (report: UnexpectedErrorReport) => void;
  /** Sign-in, sessions and SMB connections. Without them the app serves only its status and health pages. */
  services?: Services;
  /** Mails unexpected errors and upstream outages to the admins (server.ts builds it when mail is configured). */
  reporter?: ErrorReporter;
  /** Shared with an admin-port listener (METRICS_PORT); otherwise the app makes its own. */
  metrics?: Metrics;
  /** Replaces /readyz's real checks (tests). */
  readiness?: ReadinessChecks;
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
  app.locals.sameFor = fragmentCache(() => app.enabled('view cache'));
  app.locals.site = siteLocals(config);
  // The one keyboard-shortcut table, for the folder page's "?" dialog and /help.
  app.locals.shortcuts = shortcutRows();
  const branding = brandingAssets(config.branding.dir);
  const themeColor = themeColors();
  app.locals.brand = brandLocals(config, branding, themeColor);
  // Pages without a signed-in user (or without services) follow the device in the site's theme.
  app.locals.appearance = appearanceFor(config.site, undefined);
  // English until languageLocals picks (a page rendered before it, e.g. a static file's error, still works).
  Object.assign(app.locals, languageHelpers(DEFAULT_LANGUAGE));

  app.use(requestContext());
  const metrics = deps.metrics ?? new Metrics();
  metrics.attach({ pool: deps.services?.pool, store: deps.services?.sessions.store, live: deps.services?.live, activeSessions: deps.services?.activeSessions });
  app.use(metrics.middleware());
  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use(decideCookieSecurity(config));

  app.use(staticFiles(rootPath('public'), { index: false, setHeaders: metrics.staticFile }));
  app.use(brandingRoutes(config, branding, themeColor));
  // After the static files and branding: they are the same in every language.
  app.use(languageLocals());
  app.use('/login', loginBackground(branding.backgrounds.length));

  app.use(healthRoutes(deps.statusChecks ?? singleFlight(statusChecks(config)), { signInAvailable: deps.services !== undefined, adminToken: config.admin.token }));
  const readiness = deps.readiness ?? sharedReadiness(readinessChecks(config, { store: deps.services?.sessions.store, directory: deps.services?.directory }));
  app.use(readyRoutes(readiness, config.admin.token));
  // With METRICS_PORT, /metrics lives on the admin listener only (server.ts).
  if (config.admin.metricsPort === undefined) app.use(metricsRoutes(metrics, { token: config.admin.token }));
  const { reporter } = deps;
  const onUnexpected = (report: UnexpectedErrorReport): void => {
    reporter?.reportRequestError(report.error, report.reference, report.req, report.req.res?.locals);
    deps.onUnexpectedError?.(report);
  };
  const onUnavailable = (report: UnexpectedErrorReport): void => reporter?.upstreamUnavailable(report.error, report.req);
  app.use(errorReporting({ onUnexpected, onUnavailable }));

  const { services } = deps;
  if (services) {
    // First, before the session is read: past capacity, a GET waits its turn or is turned away cheaply.
    if (config.admission.maxInFlight > 0) {
      const turns = admission({ concurrency: config.admission.maxInFlight, maxQueued: config.admission.queueLimit, maxWaitMs: config.admission.queueWaitMs });
      metrics.attach({ admission: turns.queue });
      app.use(turns.middleware);
    }
    const csrf = csrfProtection(config);
    app.use(cookieParser());
    app.use(sessionMiddleware(config, services.sessions.store));
    app.use(absoluteLifetime(config, services.endSession, logger));
    app.use(currentUser(config, logger, { closeSession: services.endSession }));
    app.use(countActiveSessions(services.activeSessions));
    // Forms post urlencoded; every state-changing request then needs a valid CSRF token (sign-in included).
    // Room for a zip of a few thousand selected names; nothing else posts more than a few fields.
    app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 10_000 }));
    app.use(csrf.protect);
    app.use((req, res, next) => (res.locals.user ? csrf.provideToken(req, res, next) : next()));
    app.use(userDataLocals(services.userData, logger));
    // Again, now that the user's "Language" setting is known.
    app.use(languageLocals());
    app.use(themeRoutes(config, services.userData));
    // Everything above may refuse a request before routing; metrics label such refusals (unmatched).
    app.use(metrics.routing());
    if (services.delegation) registerDelegation(app, { config, logger, directory: services.directory, tickets: services.delegation, activeSessions: services.activeSessions });
    // Before the sign-in page's own GET /login: it answers the browser's Negotiate ticket, or adds the challenge.
    if (services.delegation && config.authMethods.includes('negotiate')) app.use(negotiateRoutes(services.delegation, services.negotiateReplay, logger));
    app.use(authRoutes(config, services, csrf, logger));
    if (config.oidc && config.authMethods.includes('oidc')) {
      app.locals.oidcSignIn = { href: OIDC_START_PATH, label: config.oidc.buttonLabel };
      const startSession = async (req: Request, res: Response, username: string, next: string): Promise<void> => {
        await startDelegatedSession(req, res, username, 'oidc');
        res.redirect(303, next);
      };
      app.use(oidcRoutes(config, config.oidc, new OidcRelyingParty(config.oidc, logger), startSession, logger));
    }
    app.use(uploadRoutes(config, services.files, logger, services.uploads));
    app.use(filesApiRoutes({ config, files: services.files, jobs: services.jobs, logger }));
    app.use(jobsApiRoutes(services.jobs));
    app.use(opsFormRoutes(config, services.files, logger));
    app.use(folderRoutes(config, services.files));
    app.use('/browse', canWriteLocals(config, services.files), takeFlash);
    app.use(liveRoutes(config, services.live));
    app.use(browseRoutes(config, services.files, services.userData));
    app.use(searchRoutes(config, services.files, logger));
    app.use(serverRoutes(config, services.files));
    app.use(transferRoutes(config, services.files, logger));
    app.use(propertiesRoutes(config, services.files, services.directory, logger));
    app.use(settingsRoutes(services.userData, config.site.themesAllowed));
    app.use(bookmarkRoutes(config, services.files, services.userData));
  }
  // Signed in or not (src/web/help/routes.ts says why); after the session middleware, so the navbar knows who.
  app.use(helpRoutes(config));
  app.get('/', (_req, res) => {
    const home = services ? (res.locals.user ? '/browse/home/' : '/login') : '/status';
    res.redirect(303, home);
  });
  deps.mount?.(app);

  app.use(notFound());
  app.use(signOutOnRejectedCredentials(logger, services ? services.endSession : () => Promise.resolve()));
  app.use(errorHandler({ logger, onUnexpected, onUnavailable, onError: (err) => metrics.observeError(err) }));
  return app;
}
