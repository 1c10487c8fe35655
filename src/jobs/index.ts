// Long file operations as per-user background jobs (see registry.ts).
export { DEFAULT_JOB_SETTINGS, Job, JobRegistry, type JobHooks, type JobKind, type JobSettings, type JobState, type JobView } from './registry.js';
