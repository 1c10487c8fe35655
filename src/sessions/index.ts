export { createSessionStore, sessionsFile, type SessionStoreDeps, type SessionStoreHandle } from './store.js';
export { SqliteSessionStore, expiryOf, type SqliteSessionStoreOptions } from './sqlite-store.js';
export { SmbPool, type PoolCredential, type PoolLogger, type PoolStats, type UseOptions } from './smb-pool.js';
export { CredentialsRejectedError, SmbBusyError, type CredentialRejection } from './errors.js';
export { sessionEndings, type SessionEndings } from './session-endings.js';
export { ActiveSessions, SessionCapError, type SignInSlot } from './active-sessions.js';
