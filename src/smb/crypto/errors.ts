/**
 * A message failed an integrity check: a bad AEAD tag, a bad signature, or a
 * transform header too malformed to authenticate. Callers treat it as a
 * possible attack, so it is kept apart from ordinary protocol errors.
 */
export class SmbIntegrityError extends Error {
  override readonly name = 'SmbIntegrityError';
}
