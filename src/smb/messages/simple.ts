/**
 * Commands whose request and response are a bare 4-byte body: LOGOFF, TREE_DISCONNECT, ECHO, CANCEL
 * (requests) and LOGOFF, TREE_DISCONNECT, ECHO, FLUSH (responses).
 */
export function encodeEmptyRequest(): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16LE(4, 0);
  return body;
}

export const encodeLogoffRequest = encodeEmptyRequest;
export const encodeTreeDisconnectRequest = encodeEmptyRequest;
export const encodeEchoRequest = encodeEmptyRequest;
export const encodeCancelRequest = encodeEmptyRequest;
