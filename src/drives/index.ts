export { drivesFor, driveIds, groupCn, inAnyGroup, slugify, HOME_DRIVE_ID, HOME_DRIVE_NAME } from './drives.js';
export type { DriveRef, DriveUser, DriveLogger, DrivesForOptions } from './drives.js';
export { parseDrivePath, MAX_PATH_LENGTH, MAX_SEGMENT_LENGTH } from './path-safety.js';
export { allowServer, defaultServers, driveIdPath, isBrowsableShare, parseServerName, serverShareDrive, splitServerDriveId, takeDriveId, type AllowedServer, type ServerRefusal } from './servers.js';
