/**
 * Shared by every route under a drive (browse, transfer: download/view/thumb/zip, upload, files): turns
 * `/<area>/<drive>/<path…>` into the drive and the path segments inside it, and runs SMB work for it.
 *
 * Keep the semantics below exactly, since every area relies on them:
 * - the drive comes from the user's menu, or, for a drive the menu hides because of its groups, from all
 *   configured drives: the file server's refusal with the user's own credentials is the answer (403);
 * - a server's share (`@<host>/<share>`, two URL segments) is a drive when the host is an allowed server (else
 *   403, before any connection) and the share name is sane; the file server then decides, as above;
 * - the rest of the path is parsed from the still percent-encoded `req.path` by parseDrivePath (decoded once
 *   per segment; `..`, control characters and reserved characters give a 400 before any SMB traffic).
 */
import type { Request, Response } from 'express';
import type { Config } from '../config/index.js';
import { allowServer, drivesFor, isBrowsableShare, parseDrivePath, serverShareDrive, splitServerDriveId, takeDriveId, type DriveRef } from '../drives/index.js';
import { ForbiddenError, NotFoundError, said } from '../errors/index.js';
import type { DriveFiles, DriveSession, FileService, RunOptions } from '../files/index.js';
import { credentialFor, drivesOf } from './auth/current-user.js';

export interface DriveTarget {
  drive: DriveRef;
  /** Path segments inside the drive (decoded, validated); [] for the drive's root. */
  segments: string[];
  /** The URL ended in `/` (a folder URL). */
  trailingSlash: boolean;
}

/** Why a server is refused, as an error (the message in the user's language on pages). */
export const serverRefused = (refused: 'bad_name' | 'not_allowed'): ForbiddenError => new ForbiddenError(...said(`errors.server.${refused}`, undefined, { code: 'server_not_allowed' }));

/** A drive of the menu, one the menu hides because of its groups, or a share of an allowed server (see the header). */
export function findDrive(config: Config, req: Request, res: Response, id: string): DriveRef | undefined {
  const user = req.session.user;
  const onServer = splitServerDriveId(id);
  if (onServer !== undefined) {
    if (!user) return undefined;
    const allowed = allowServer(config, user, onServer.server);
    if ('refused' in allowed) throw serverRefused(allowed.refused);
    return isBrowsableShare(onServer.share) ? serverShareDrive(allowed.server, onServer.share) : undefined;
  }
  return drivesOf(res).find((d) => d.id === id) ?? (user ? drivesFor(user, config, undefined, { ignoreGroups: true }).find((d) => d.id === id) : undefined);
}

/**
 * The drive and path of a request whose router is mounted at the area prefix (so `req.path` is
 * `/<drive>/<path…>`, still percent-encoded). Throws NotFoundError for an unknown drive and BadRequestError
 * (from parseDrivePath) for an unsafe path.
 */
export function driveTargetOf(config: Config, req: Request, res: Response): DriveTarget {
  const { id: driveId, rest } = takeDriveId(req.path.split('/').slice(1));
  const drive = findDrive(config, req, res, driveId);
  if (!drive) throw new NotFoundError(...said('errors.drive.noSuch'));
  return { drive, segments: parseDrivePath(rest.join('/')), trailingSlash: req.path.endsWith('/') };
}

/** The user's face of the target's drive, from the file service. */
export function filesOf(files: FileService, req: Request, drive: DriveRef): DriveFiles {
  return files.forDrive({ sessionId: req.sessionID, credential: () => credentialFor(req) }, drive);
}

/**
 * Runs `fn` on the target through the user's pooled SMB connection (DriveFiles.run), with the path inside the
 * share. Keep `fn`'s promise pending until the work is done (a whole download included). `idempotent`: may be
 * retried after a dropped connection; say false as soon as bytes may have gone to the client.
 */
export function useDrive<T>(files: FileService, req: Request, target: DriveTarget, fn: (d: DriveSession, path: string) => Promise<T>, opts: RunOptions): Promise<T> {
  return filesOf(files, req, target.drive).run(target.segments, fn, opts);
}

export { sharePath } from '../files/index.js';
