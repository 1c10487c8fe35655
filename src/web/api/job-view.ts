/**
 * A job as the API sends it: each failure line also in the asker's language (`text`, from the catalogue key the
 * operation stored with it), the English `message` kept for scripts and the logs. Jobs run without a request, so
 * the language is the one of whoever asks, not of whoever started the job.
 */
import type { OpFailure } from '../../files/index.js';
import type { Translator } from '../../i18n/index.js';
import type { JobView } from '../../jobs/index.js';

export type LocalJobView = Omit<JobView, 'failures'> & { failures: (OpFailure & { text: string })[] };

export function localJob(view: JobView, t: Translator['t']): LocalJobView {
  return { ...view, failures: view.failures.map((f) => ({ ...f, text: f.messageKey ? t(f.messageKey, f.messageParams) : f.message })) };
}
