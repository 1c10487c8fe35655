export { LdapDirectory, directorySettings, type DirectoryAttempt, type DirectoryUser, type DirectorySettings, type DirectoryOptions } from './directory.js';
export { SignInThrottle, throttleSettings, type SignInReservation, type ThrottleSettings, type ThrottleOptions } from './throttle.js';
export { sealCredential, openCredential, deriveNtowfv2, type SealedCredential } from './credential-vault.js';
export { sealTgt, openTgt, sealDelegation, openDelegation } from './tgt-vault.js';
export { AdStrategy, AD_STRATEGY, type AdSignInInfo, type AdStrategyOptions } from './strategy.js';
export { parseUsername, throttleKey, type ParsedUsername } from './username.js';
export * from './errors.js';
export { SignInQueue, type SignInQueueSettings } from './signin-queue.js';
export { guidToString, isGuid } from './guid.js';
