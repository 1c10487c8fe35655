// Long file operations as per-user background jobs (see registry.ts), seen from every instance with Redis (shared.ts).
export { DEFAULT_JOB_SETTINGS, Job, JobRegistry, type JobHooks, type JobKind, type JobMirror, type JobSettings, type JobState, type JobView } from './registry.js';
export { RedisJobMirror } from './shared.js';
