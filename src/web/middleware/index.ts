export { requestContext, currentContext, newRequestId, type RequestContext } from './request-context.js';
export { securityHeaders, CONTENT_SECURITY_POLICY } from './security-headers.js';
export { requestLog } from './request-log.js';
export { errorHandler, notFound, type ErrorHandlerOptions, type UnexpectedErrorReport } from './errors.js';
