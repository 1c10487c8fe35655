import { fileURLToPath } from 'node:url';
import path from 'node:path';

// This file sits at src/config/paths.ts under tsx and at dist/config/paths.js after the build,
// so two levels up is the project root in both cases (views/, public/, themes/ live there).
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export const rootPath = (...parts: string[]): string => path.join(projectRoot, ...parts);
