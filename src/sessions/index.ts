export { createSessionStore, type SessionStoreDeps, type SessionStoreHandle } from './store.js';
export { SqliteSessionStore, expiryOf, type SqliteSessionStoreOptions } from './sqlite-store.js';
