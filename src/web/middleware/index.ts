export { requestContext, newRequestId, noteSmbTarget, type RequestContext } from './request-context.js';
export { securityHeaders, CONTENT_SECURITY_POLICY } from './security-headers.js';
export { requestLog } from './request-log.js';
export { errorHandler, errorReporting, notFound, reportHandledError, UNAVAILABLE_RETRY_AFTER_SECONDS, type ErrorHandlerOptions, type UnexpectedErrorReport } from './errors.js';
export { admission, ServerBusyError, type AdmissionSettings } from './admission.js';
