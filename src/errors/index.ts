export * from './app-error.js';
export { toHttpError } from './to-http.js';
export { said, saidError } from './said.js';
