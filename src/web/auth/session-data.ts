// What a signed-in session holds. Never the password: only the NTLMv2 key, sealed with a key that lives in a cookie.
import type { Request } from 'express';
import type { DirectoryUser } from '../../auth/index.js';

export interface SessionUser {
  username: string;
  domain: string;
  displayName: string;
  mail?: string;
  homeDirectory?: string;
  /** Group DNs (transitive when nested groups are on): decides which shared drives the user sees. */
  groups: string[];
  /** AD objectGUID (canonical string): keys settings and bookmarks, so a renamed account keeps them. */
  guid?: string;
}

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
    /** The NTOWFv2 key sealed by src/auth/credential-vault; useless without the key cookie. */
    sealedCredential: string;
    /** The Kerberos TGT sealed by src/auth/tgt-vault under the same key cookie, when one was obtained at sign-in. */
    sealedTgt: string;
    /**
     * A single sign-on (OpenID Connect or HTTP Negotiate; src/web/auth/delegated-session.ts): no password and no
     * sealedCredential; SMB gets tickets by Kerberos delegation. `sealed` opens only with the key cookie.
     */
    delegated: { method: 'oidc' | 'negotiate'; sealed: string };
    signedInAt: number;
    remember: boolean;
    /** A one-time message for the sign-in page (e.g. why the user was signed out). */
    notice: string;
  }
}

export const SESSION_COOKIE = 'portcullis.sid';
/** Holds only the key that opens the sealed credential: neither this nor the store alone yields it. */
export const KEY_COOKIE = 'portcullis.key';

export function signedInUser(req: Request): SessionUser | undefined {
  return req.session?.user;
}

/** What of the directory's answer a session keeps: the same for a password sign-in and a single sign-on. */
export function toSessionUser(user: DirectoryUser): SessionUser {
  return {
    username: user.username,
    domain: user.domain,
    displayName: user.displayName,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.homeDirectory ? { homeDirectory: user.homeDirectory } : {}),
    ...(user.guid ? { guid: user.guid } : {}),
    groups: user.groups,
  };
}
