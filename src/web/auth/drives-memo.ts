import type { Config } from '../../config/index.js';
import { type DriveLogger, type DriveRef, drivesFor, type DriveUser } from '../../drives/index.js';

/**
 * The drives of a signed-in user, worked out once per (username, home directory, groups) rather than on every
 * request (parsing each group DN and each drive rule was ~0.1 ms of every request). The key holds everything
 * drivesFor reads from the user, so a user whose groups or home directory change gets a new answer at once, and
 * one user's drives never reach another (the username is part of the key). Bounded: emptied when full.
 * Warnings about unusable drives are then logged once per key, not per request.
 */
export function drivesMemo(config: Config, logger: DriveLogger | undefined, max = 10_000): (user: DriveUser) => DriveRef[] {
  const kept = new Map<string, DriveRef[]>();
  return (user) => {
    const key = JSON.stringify([user.username, user.homeDirectory ?? null, user.groups]);
    let drives = kept.get(key);
    if (drives === undefined) {
      if (kept.size >= max) kept.clear();
      drives = drivesFor(user, config, logger);
      kept.set(key, drives);
    }
    return drives;
  };
}
