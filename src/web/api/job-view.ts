/**
 * A job as the API sends it: each failure line as { path, code, message }, the message in the asker's language
 * (from the catalogue key the operation stored with it; English for a client that asks for nothing else, as
 * before), like every other message the API sends. Jobs run without a request, so the language is the one of
 * whoever asks, not of whoever started the job. The key itself stays inside (the logs keep the English).
 */
import type { OpCode } from '../../files/index.js';
import type { Translator } from '../../i18n/index.js';
import type { JobView } from '../../jobs/index.js';

export interface FailureLine {
  path: string;
  code: OpCode;
  message: string;
}

export type LocalJobView = Omit<JobView, 'failures'> & { failures: FailureLine[] };

export function localJob(view: JobView, tn: Translator['tn']): LocalJobView {
  return { ...view, failures: view.failures.map((f) => ({ path: f.path, code: f.code, message: f.messageKey ? tn(f.messageKey, f.messageParams) : f.message })) };
}
