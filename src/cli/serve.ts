import { main } from '../server.js';
import type { Command } from './types.js';

export const run: Command = () => main();
