/** A token from the server (or handed to us) is malformed or out of sequence. */
export class AuthProtocolError extends Error {
  override readonly name = 'AuthProtocolError';
}

/** The server said no: SPNEGO negState reject. Usually a wrong password. */
export class AuthRejectedError extends Error {
  override readonly name = 'AuthRejectedError';
}
