import { notImplemented } from './not-implemented.js';

export const summary = 'talk to an SMB server: ls, get, put, stat, rm, mkdir (not implemented yet)';

export const run = notImplemented('smb');
