// The operations UI's own routes (issue 12): the no-JS forms and the destination picker's folder list.
export { audit, resultCode, type AuditAction, type AuditEntry } from './audit.js';
export { takeFlash, type Flash } from './flash.js';
export { folderRoutes, pathSegments } from './folders.js';
export { opsFormRoutes, READ_ONLY_MESSAGE } from './forms.js';
