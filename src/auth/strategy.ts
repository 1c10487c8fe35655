/**
 * The 'ad' passport strategy: Active Directory sign-in for the login route.
 *
 *   passport.use(new AdStrategy({ directory, throttle, domain: config.ad.domain, logger }));
 *   passport.authenticate('ad', { session: false }, (err, user, info) => …)(req, res, next)
 *
 * It reads `req.body.username` and `req.body.password` (so a urlencoded body parser must run first) and
 * answers in one of two ways:
 * - success: `user` is the DirectoryUser and `info` an AdSignInInfo whose `ntowfv2` (16 bytes) the
 *   route seals with sealCredential(info.ntowfv2, user.username) after regenerating the session;
 *   the password is gone once this returns. Later requests get it back with
 *   openCredential(session.sealedCredential, keyCookie, user.username); CredentialUnreadableError
 *   (401) means: sign the user out.
 * - error: `err` is an AppError (InvalidCredentialsError, AccountLockedError, TooManyAttemptsError
 *   or SignInBusyError, both with retryAfterSeconds for a Retry-After header, DirectoryUnavailableError …) whose `message` is
 *   written for the user whenever `expose` is true; otherwise (DirectoryConfigError: service account
 *   or settings broken) show the generic internal-error text and log it.
 * It never calls `fail()`, so passport's own failure flashes and redirects never come into play.
 * The client IP is `req.ip`, which follows Express's `trust proxy` setting.
 */
import type { Request } from 'express';
import passport from 'passport';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log.js';
import type { Credentials } from '../krb/index.js';
import { deriveNtowfv2 } from './credential-vault.js';
import type { DirectoryAttempt, DirectoryUser, LdapDirectory } from './directory.js';
import { InvalidCredentialsError } from './errors.js';
import type { SignInQueue } from './signin-queue.js';
import type { SignInReservation, SignInThrottle } from './throttle.js';
import { throttleKey } from './username.js';

export const AD_STRATEGY = 'ad';

export interface AdSignInInfo {
  /** NTOWFv2(password, user.username, user.domain): seal it, never store it as is. */
  ntowfv2: Buffer;
  /** The user's TGT, when Kerberos to the file servers is on and the KDC gave one: seal it too. */
  tgt?: Credentials;
}

export interface AdStrategyOptions {
  /**
   * Gets the user's TGT with the password at sign-in (SMB_AUTH auto or kerberos, with a realm and KDCs). Called
   * with the sAMAccountName the directory returned, after the directory accepted the password.
   */
  kerberos?: { getTgt(username: string, password: string): Promise<Credentials> };
  directory: Pick<LdapDirectory, 'authenticate'>;
  throttle: Pick<SignInThrottle, 'reserve'>;
  /** Bounds how many sign-ins reach the directory at once; without it, all do. */
  queue?: Pick<SignInQueue, 'run'>;
  /** NetBIOS domain (config.ad.domain): `DOMAIN\name` and `name` count as the same account for throttling. */
  domain: string | undefined;
  logger?: Logger;
  /** Defaults to req.ip. */
  clientIp?: (req: Request) => string;
}

const field = (body: unknown, name: string): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
};

/** Failures that say something about the password or the account, as opposed to our own trouble. */
const countsAsFailure = (err: unknown): boolean => err instanceof AppError && err.status === 401;

/**
 * Whether a refused sign-in keeps its throttle points. A 401 always does (unknown users too, so one address cannot
 * walk through names for free); so does a password that reached a DC without an answer, since the DC may have
 * counted it. Our own trouble before the password went out, or after the DC accepted it, costs the user nothing.
 */
async function endRefused(reservation: SignInReservation, err: unknown, attempt: DirectoryAttempt): Promise<void> {
  if (attempt.passwordAccepted) await reservation.passwordAccepted();
  else if (countsAsFailure(err) || attempt.passwordSent) await reservation.failed();
  else await reservation.passwordNotSent();
}

export class AdStrategy extends passport.Strategy {
  override name = AD_STRATEGY;

  constructor(private readonly options: AdStrategyOptions) {
    super();
  }

  override authenticate(req: Request): void {
    // Queued before the throttle reservation: a sign-in turned away for a full queue holds no failure points.
    const { queue } = this.options;
    (queue ? queue.run(() => this.signIn(req)) : this.signIn(req)).then(
      ({ user, info }) => this.success(user, info),
      (err: unknown) => this.error(err),
    );
  }

  private async signIn(req: Request): Promise<{ user: DirectoryUser; info: AdSignInInfo }> {
    const { directory, throttle, domain, logger } = this.options;
    const body: unknown = req.body;
    const username = field(body, 'username') ?? '';
    const password = field(body, 'password') ?? '';
    if (username.trim() === '') throw new InvalidCredentialsError();
    const key = throttleKey(username, domain);
    const ip = this.options.clientIp?.(req) ?? req.ip ?? req.socket.remoteAddress ?? 'unknown';

    // Before the password goes anywhere: blocked sign-ins never reach the DC, and parallel ones cannot slip past together.
    const reservation = await throttle.reserve(key, ip);
    const attempt: DirectoryAttempt = { passwordSent: false, passwordAccepted: false };
    let user: DirectoryUser;
    try {
      user = await directory.authenticate(username, password, attempt);
    } catch (err) {
      await endRefused(reservation, err, attempt);
      logger?.info('sign-in refused', { username: key, ip, reason: err instanceof AppError ? err.code : 'error' });
      throw err;
    }
    await reservation.passwordAccepted();
    logger?.info('signed in', { username: user.username, ip });
    const info: AdSignInInfo = { ntowfv2: deriveNtowfv2(password, user.username, user.domain) };
    if (this.options.kerberos) {
      // The directory accepted the password, so a refusal here is the KDC's (or it is unreachable): sign in
      // anyway, and the file servers get NTLMv2 (SMB_AUTH=auto) or refuse (kerberos).
      try {
        info.tgt = await this.options.kerberos.getTgt(user.username, password);
      } catch (err) {
        logger?.warn('no Kerberos TGT at sign-in: file servers get NTLMv2 where allowed', { username: user.username, err });
      }
    }
    return { user, info };
  }
}
