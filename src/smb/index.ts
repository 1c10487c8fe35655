export { SmbClient, type SmbClientOptions } from './client.js';
export { SmbShare, type DirEntry, type Stats, type FsSpace, type WriteFlags } from './share.js';
export { READ_FRAME_OVERHEAD, type PipeOptions, type PipeFromOptions, type UploadSource, type FdSource } from './file.js';
export { SmbWatcher, type WatchEvent, type WatchAction } from './watch.js';
export * from './errors.js';
export type { NtlmCredential } from './auth/ntlm.js';
export { ntowfv2 } from './auth/ntlm.js';
export type { KerberosMechanism, KerberosMechanismFactory } from './auth/kerberos.js';
export type { SmbAuthMode } from './session.js';
