import { notImplemented } from './not-implemented.js';

export const summary = 'check the configuration, directory and file servers (not implemented yet)';

export const run = notImplemented('check');
