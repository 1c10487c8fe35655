export { loadConfig, missingLdapSettings, missingSignInSettings, resolveSmbHost, availableThemes, darkOnlyThemes, notOfferedMessage, shippedThemes, whyNotOffered } from './load.js';
export { ConfigError } from './errors.js';
export { allowsUnsignedSmb, loadAllowUnsignedHosts } from './smb-signing.js';
export { startupWarnings } from './warnings.js';
export { projectRoot, rootPath } from './paths.js';
export { parseUnc } from './drives.js';
export { DEFAULT_USER_FILTER } from './schema.js';
export type * from './types.js';
