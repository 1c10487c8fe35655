/** Wire constants from [MS-SMB2] 2.2; grouped so codecs and the connection share one vocabulary. */

export const Command = {
  NEGOTIATE: 0x0000,
  SESSION_SETUP: 0x0001,
  LOGOFF: 0x0002,
  TREE_CONNECT: 0x0003,
  TREE_DISCONNECT: 0x0004,
  CREATE: 0x0005,
  CLOSE: 0x0006,
  FLUSH: 0x0007,
  READ: 0x0008,
  WRITE: 0x0009,
  LOCK: 0x000a,
  IOCTL: 0x000b,
  CANCEL: 0x000c,
  ECHO: 0x000d,
  QUERY_DIRECTORY: 0x000e,
  CHANGE_NOTIFY: 0x000f,
  QUERY_INFO: 0x0010,
  SET_INFO: 0x0011,
  OPLOCK_BREAK: 0x0012,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

export const Dialect = {
  SMB2_0_2: 0x0202,
  SMB2_1: 0x0210,
  SMB3_0: 0x0300,
  SMB3_0_2: 0x0302,
  SMB3_1_1: 0x0311,
} as const;
export const ALL_DIALECTS: readonly number[] = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];

export const HeaderFlag = {
  SERVER_TO_REDIR: 0x00000001,
  ASYNC_COMMAND: 0x00000002,
  RELATED_OPERATIONS: 0x00000004,
  SIGNED: 0x00000008,
  DFS_OPERATIONS: 0x10000000,
  REPLAY_OPERATION: 0x20000000,
} as const;

export const SecurityMode = {
  SIGNING_ENABLED: 0x0001,
  SIGNING_REQUIRED: 0x0002,
} as const;

export const Capability = {
  DFS: 0x00000001,
  LEASING: 0x00000002,
  LARGE_MTU: 0x00000004,
  MULTI_CHANNEL: 0x00000008,
  PERSISTENT_HANDLES: 0x00000010,
  DIRECTORY_LEASING: 0x00000020,
  ENCRYPTION: 0x00000040,
} as const;

export const SessionFlag = {
  IS_GUEST: 0x0001,
  IS_NULL: 0x0002,
  ENCRYPT_DATA: 0x0004,
} as const;

export const ShareFlag = {
  DFS: 0x00000001,
  ENCRYPT_DATA: 0x00008000,
} as const;

export const ShareType = { DISK: 0x01, PIPE: 0x02, PRINT: 0x03 } as const;

/** Access mask bits ([MS-SMB2] 2.2.13.1). */
export const Access = {
  FILE_READ_DATA: 0x00000001,
  FILE_WRITE_DATA: 0x00000002,
  FILE_APPEND_DATA: 0x00000004,
  FILE_READ_EA: 0x00000008,
  FILE_WRITE_EA: 0x00000010,
  FILE_EXECUTE: 0x00000020,
  FILE_READ_ATTRIBUTES: 0x00000080,
  FILE_WRITE_ATTRIBUTES: 0x00000100,
  DELETE: 0x00010000,
  READ_CONTROL: 0x00020000,
  SYNCHRONIZE: 0x00100000,
  MAXIMUM_ALLOWED: 0x02000000,
  GENERIC_ALL: 0x10000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
} as const;

export const ShareAccess = {
  READ: 0x1,
  WRITE: 0x2,
  DELETE: 0x4,
  ALL: 0x7,
} as const;

export const CreateDisposition = {
  SUPERSEDE: 0,
  OPEN: 1,
  CREATE: 2,
  OPEN_IF: 3,
  OVERWRITE: 4,
  OVERWRITE_IF: 5,
} as const;

export const CreateOption = {
  DIRECTORY_FILE: 0x00000001,
  WRITE_THROUGH: 0x00000002,
  SEQUENTIAL_ONLY: 0x00000004,
  NON_DIRECTORY_FILE: 0x00000040,
  RANDOM_ACCESS: 0x00000800,
  DELETE_ON_CLOSE: 0x00001000,
  OPEN_REPARSE_POINT: 0x00200000,
} as const;

export const CreateAction = {
  SUPERSEDED: 0,
  OPENED: 1,
  CREATED: 2,
  OVERWRITTEN: 3,
} as const;

export const FileAttribute = {
  READONLY: 0x00000001,
  HIDDEN: 0x00000002,
  SYSTEM: 0x00000004,
  DIRECTORY: 0x00000010,
  ARCHIVE: 0x00000020,
  NORMAL: 0x00000080,
  TEMPORARY: 0x00000100,
  REPARSE_POINT: 0x00000400,
} as const;

export const OplockLevel = { NONE: 0x00, II: 0x01, EXCLUSIVE: 0x08, BATCH: 0x09, LEASE: 0xff } as const;
export const ImpersonationLevel = { ANONYMOUS: 0, IDENTIFICATION: 1, IMPERSONATION: 2, DELEGATE: 3 } as const;

export const InfoType = { FILE: 0x01, FILESYSTEM: 0x02, SECURITY: 0x03, QUOTA: 0x04 } as const;

export const FileInfoClass = {
  FileDirectoryInformation: 0x01,
  FileFullDirectoryInformation: 0x02,
  FileBothDirectoryInformation: 0x03,
  FileBasicInformation: 0x04,
  FileStandardInformation: 0x05,
  FileInternalInformation: 0x06,
  FileRenameInformation: 0x0a,
  FileNamesInformation: 0x0c,
  FileDispositionInformation: 0x0d,
  FileAllInformation: 0x12,
  FileEndOfFileInformation: 0x14,
  FileIdBothDirectoryInformation: 0x25,
  FileIdFullDirectoryInformation: 0x26,
} as const;

export const FsInfoClass = {
  FileFsVolumeInformation: 0x01,
  FileFsSizeInformation: 0x03,
  FileFsAttributeInformation: 0x05,
  FileFsFullSizeInformation: 0x07,
} as const;

export const QueryDirectoryFlag = {
  RESTART_SCANS: 0x01,
  RETURN_SINGLE_ENTRY: 0x02,
  INDEX_SPECIFIED: 0x04,
  REOPEN: 0x10,
} as const;

export const CompletionFilter = {
  FILE_NAME: 0x00000001,
  DIR_NAME: 0x00000002,
  ATTRIBUTES: 0x00000004,
  SIZE: 0x00000008,
  LAST_WRITE: 0x00000010,
  LAST_ACCESS: 0x00000020,
  CREATION: 0x00000040,
  EA: 0x00000080,
  SECURITY: 0x00000100,
  STREAM_NAME: 0x00000200,
  STREAM_SIZE: 0x00000400,
  STREAM_WRITE: 0x00000800,
} as const;

export const Fsctl = {
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
  SRV_REQUEST_RESUME_KEY: 0x00140078,
  SRV_COPYCHUNK: 0x001440f2,
  SRV_COPYCHUNK_WRITE: 0x001480f2,
} as const;

/** An SMB2 FileId is 16 opaque bytes; all-ones means "the file opened earlier in this compound". */
export const RELATED_FILE_ID: Buffer = Buffer.alloc(16, 0xff);
