/**
 * What went wrong with a file operation, in the words of the operations API (README "File operations API"):
 * one code per kind of failure, each with its own sentence naming the item, and the HTTP status a request
 * that fails as a whole answers with. Kinds are kept apart on purpose: "in use" (someone has the file open),
 * "locked" (a byte-range lock), "not empty", "exists", "denied", "name too long" and "drive full" each tell
 * the user something different to do.
 */
import { AppError, type AppErrorOptions } from '../errors/index.js';
import {
  SmbAccessDeniedError,
  SmbDiskFullError,
  SmbExistsError,
  SmbInvalidNameError,
  SmbLockedError,
  SmbNotDirectoryError,
  SmbNotEmptyError,
  SmbNotFoundError,
  SmbSharingViolationError,
} from '../smb/index.js';

export const OP_CODES = [
  'bad-name',
  'bad-input',
  'name-too-long',
  'not-found',
  'exists',
  'denied',
  'in-use',
  'locked',
  'not-empty',
  'into-itself',
  'conflict',
  'cancelled',
  'failed',
  'drive-full',
  'busy',
] as const;
export type OpCode = (typeof OP_CODES)[number];

const STATUS: Record<OpCode, number> = {
  'bad-name': 400,
  'bad-input': 400,
  'name-too-long': 400,
  'into-itself': 400,
  denied: 403,
  'not-found': 404,
  exists: 409,
  conflict: 409,
  'not-empty': 409,
  'in-use': 409,
  locked: 409,
  cancelled: 409,
  'drive-full': 507,
  busy: 429,
  failed: 500,
};

/** A failure of a file operation with its API code; thrown by the operations and mapped as is by the routes. */
export class OpError extends AppError {
  constructor(
    readonly opCode: OpCode,
    message: string,
    options: Pick<AppErrorOptions, 'cause' | 'messageKey' | 'messageParams'> = {},
  ) {
    super(STATUS[opCode], message, opCode, options);
  }

  // 'failed' is the unexpected kind: its message is still written for users (the item and "could not").
  override readonly expose = true;
}

/** The job (or the request) was cancelled. */
export class CancelledError extends OpError {
  constructor() {
    super('cancelled', 'The operation was cancelled.', { messageKey: 'errors.op.cancelled' });
  }
}

/** Words for the item: “name”, or "That item" when there is none. */
const q = (name: string | undefined): string => (name === undefined || name === '' ? 'That item' : `“${name}”`);

type OpMessage = 'locked' | 'inUse' | 'notFound' | 'denied' | 'exists' | 'notEmpty' | 'full' | 'nameTooLong' | 'notFolder' | 'failed';
/** Where the sentence is in the catalogue: errors.op.<kind>.named with {item}, or .unnamed. */
const keyed = (kind: OpMessage, name: string | undefined, cause: unknown): Pick<AppErrorOptions, 'cause' | 'messageKey' | 'messageParams'> =>
  name === undefined || name === '' ? { cause, messageKey: `errors.op.${kind}.unnamed` } : { cause, messageKey: `errors.op.${kind}.named`, messageParams: { item: name } };
/** An app error's own sentence, and its place in the catalogue. */
const carried = (err: AppError): Pick<AppErrorOptions, 'cause' | 'messageKey' | 'messageParams'> => ({ cause: err, messageKey: err.messageKey, messageParams: err.messageParams });

/**
 * Turns anything thrown by the file service into an OpError naming `name` (the item's name as the user sees it,
 * never a server path). Unknown errors become 'failed' with a plain sentence; the caller logs the original.
 */
export function opErrorOf(err: unknown, name?: string): OpError {
  if (err instanceof OpError) return err;
  const it = q(name);
  if (err instanceof Error && err.name === 'AbortError') return new CancelledError();
  if (err instanceof SmbLockedError) return new OpError('locked', `${it} is locked by another program. Try again when it has finished with it.`, keyed('locked', name, err));
  if (err instanceof SmbSharingViolationError) return new OpError('in-use', `${it} is in use (open in another program or by someone else). Close it and try again.`, keyed('inUse', name, err));
  if (err instanceof SmbNotFoundError) return new OpError('not-found', `${it} was not found. It may have been moved or deleted.`, keyed('notFound', name, err));
  if (err instanceof SmbAccessDeniedError) return new OpError('denied', `You don't have permission to change ${it === 'That item' ? 'that item' : it}.`, keyed('denied', name, err));
  if (err instanceof SmbExistsError) return new OpError('exists', `${it} already exists.`, keyed('exists', name, err));
  if (err instanceof SmbNotEmptyError) return new OpError('not-empty', `${it} is a folder that is not empty.`, keyed('notEmpty', name, err));
  if (err instanceof SmbDiskFullError) return new OpError('drive-full', `There is not enough space on the drive for ${it === 'That item' ? 'that item' : it}.`, keyed('full', name, err));
  // Our own name rules refuse everything Windows refuses before anything reaches the server; what the server
  // still refuses is the length: a Linux file server holds 255 bytes of UTF-8 per name, fewer than 255 characters.
  if (err instanceof SmbInvalidNameError) return new OpError('name-too-long', `${it} is too long a name for the file server (at most 255 bytes; accented letters and emoji take more than one).`, keyed('nameTooLong', name, err));
  if (err instanceof SmbNotDirectoryError) return new OpError('not-found', `${it} is not a folder.`, keyed('notFolder', name, err));
  if (err instanceof AppError) {
    // The file server is not answering, the sign-in (or its method) is no longer accepted …: the app's own sentence says it best.
    if (err.status === 503 || err.status === 502 || err.status === 401) return new OpError('failed', err.message, carried(err));
    const code = err.code.replace(/_/gu, '-');
    if ((OP_CODES as readonly string[]).includes(code)) return new OpError(code as OpCode, err.message, carried(err));
    if (err.status === 404) return new OpError('not-found', err.message, carried(err));
    if (err.status === 403) return new OpError('denied', err.message, carried(err));
    if (err.status === 400) return new OpError('bad-input', err.message, carried(err));
    if (err.status === 409) return new OpError('exists', err.message, carried(err));
  }
  return new OpError('failed', `${it} could not be changed because of an error on the file server.`, keyed('failed', name, err));
}

