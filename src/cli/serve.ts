import { main } from '../server.js';
import type { Command } from './types.js';

export const summary = 'start the web server (configured by environment variables)';

export const run: Command = () => main();
