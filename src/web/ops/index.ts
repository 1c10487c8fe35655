// The operations UI's own routes (issue 12): the no-JS forms and the destination picker's folder list.
export { takeFlash, type Flash } from './flash.js';
export { folderRoutes } from './folders.js';
export { opsFormRoutes } from './forms.js';
