// The file service (DESIGN.md, files/): routes reach files only through this.
export { DriveFiles, FileService, sharePath, type FileUser, type RunOptions } from './service.js';
export { DriveSession } from './drive-session.js';
export type { FolderRead } from './read-folder.js';
export { readTextHead, TEXT_PREVIEW_BYTES, type TextHead } from './text-head.js';
export { isConnectionLost, isWholeBuffer, join, resetSweeps, STALE_TEMP_MS, type PumpResult } from './upload.js';
export { UploadSweeper, type SweeperSettings } from './upload-sweeper.js';
export { MemoryUploadRegistry, RedisUploadRegistry, type PendingUpload, type UploadRegistry } from './upload-registry.js';
export { CONFLICT_MODES, isTempName, nameProblem, nameProblemOf, numberedName, parseConflict, tempName, type ConflictMode } from './names.js';
export { CancelledError, OP_CODES, OpError, opErrorOf, type OpCode } from './op-errors.js';
export type { OpAction, OpFailure, OpProgress, OpResult } from './op-progress.js';
export { failureOf } from './op-progress.js';
export { deleteItems, isInside, transferConflicts, transferItems, type TransferRequest } from './ops.js';
export { RESOLUTIONS, type Resolution } from './transfer-op.js';
export { ZipTooLargeError, type ZipItem, type ZipLimits } from './zip-walk.js';
export { canScavenge, noteBodyBytes, SCAVENGE_EVERY_BYTES } from './young-garbage.js';
/** The typed errors a route may meet (mapped to HTTP by errors/to-http.ts). */
export {
  SmbAccessDeniedError as AccessDeniedError,
  SmbExistsError as ExistsError,
  SmbIsDirectoryError as IsDirectoryError,
  SmbNotDirectoryError as NotDirectoryError,
  SmbNotEmptyError as NotEmptyError,
  SmbNotFoundError as FileNotFoundError,
  SmbSharingViolationError as SharingViolationError,
  type DirEntry as FileEntry,
  type ShareListing,
  type Stats as FileStats,
} from '../smb/index.js';
export { measureOf, propertiesOf, uncOf, type OwnerNames, type Properties } from './properties.js';
export { measureFolder, type FolderMeasure, type MeasureLimit, type MeasureLimits } from './measure.js';
export { WatchHub, type LiveEvent, type LiveLimits, type LiveStats, type PauseReason, type Subscription } from './watch-hub.js';
export { foldName, nameMatcher, type NameMatcher } from './search-match.js';
export { SEARCH_LIMITS, type SearchHit, type SearchLimit, type SearchLimits, type SearchSummary } from './search.js';
export { SearchBusyError, SearchSlots, SEARCH_RETRY_AFTER_SECONDS, type SearchSlot, type SearchSlotSettings } from './search-slots.js';
