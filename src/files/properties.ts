/**
 * The Properties of one file or folder: what its stat says, its owner (the SID from the security descriptor,
 * named through the directory), its UNC path, and on request a folder's recursive count (measure.ts).
 */
import type { DriveRef } from '../drives/index.js';
import { measureFolder, type FolderMeasure, type MeasureLimits } from './measure.js';
import type { DriveFiles } from './service.js';

/** Names a SID (LdapDirectory.nameOfSid): null when it cannot. Must not throw. */
export interface OwnerNames {
  nameOfSid(sid: string): Promise<string | null>;
}

export interface Properties {
  name: string;
  /** The path inside the drive, '/'-separated; '' for the drive's root. */
  path: string;
  type: 'file' | 'folder';
  /** Bytes of a file; 0 for a folder (its contents are `measure`'s). */
  size: number;
  created: string;
  modified: string;
  accessed: string;
  /** Last change of data or metadata (ChangeTime). */
  changed: string;
  attributes: { readOnly: boolean; hidden: boolean; system: boolean; archive: boolean };
  /** Null when the file server would not show the security descriptor. */
  owner: { sid: string; name: string | null } | null;
  unc: string;
  measure?: FolderMeasure;
}

const FILE_ATTRIBUTE_SYSTEM = 0x4;
const FILE_ATTRIBUTE_ARCHIVE = 0x20;

/** `\\server\share\base\path`: the host as the UNC names it (not where SMB_HOST_MAP sends us). */
export function uncOf(drive: DriveRef, segments: string[]): string {
  return [`\\\\${drive.server ?? drive.host}`, drive.share, ...drive.basePath, ...segments].join('\\');
}

export async function propertiesOf(files: DriveFiles, segments: string[], owners: OwnerNames): Promise<Properties> {
  const { stats, ownerSid } = await files.run(segments, (d, p) => d.statWithOwner(p), { idempotent: true });
  const ownerName = ownerSid === null ? null : await owners.nameOfSid(ownerSid);
  return {
    name: segments.at(-1) ?? files.drive.name,
    path: segments.join('/'),
    type: stats.type === 'dir' ? 'folder' : 'file',
    size: stats.type === 'dir' ? 0 : Number(stats.size),
    created: stats.birthtime.toISOString(),
    modified: stats.mtime.toISOString(),
    accessed: stats.atime.toISOString(),
    changed: stats.ctime.toISOString(),
    attributes: {
      readOnly: stats.readonly,
      hidden: stats.hidden,
      system: (stats.attributes & FILE_ATTRIBUTE_SYSTEM) !== 0,
      archive: (stats.attributes & FILE_ATTRIBUTE_ARCHIVE) !== 0,
    },
    owner: ownerSid === null ? null : { sid: ownerSid, name: ownerName },
    unc: uncOf(files.drive, segments),
  };
}

/**
 * The recursive count of a folder (see measureFolder). Holds the user's pooled connection for the whole walk,
 * like a zip download does; `signal` ends it, and with it every further directory query.
 */
export function measureOf(files: DriveFiles, segments: string[], limits: MeasureLimits, signal?: AbortSignal): Promise<FolderMeasure> {
  // A retry after a dropped connection starts the count again, within the time that is left, not anew.
  const deadline = Date.now() + limits.maxMs;
  return files.run(segments, (d, p) => measureFolder((dir) => d.entries(dir), p, { ...limits, maxMs: Math.max(0, deadline - Date.now()) }, signal), { idempotent: true });
}
