/** Pulls the security buffer out of the SMB2 messages in the published traces. */
const BODY = 64;

function slice(message: Buffer, offset: number, length: number): Buffer {
  return Buffer.from(message.subarray(offset, offset + length));
}

export function negotiateResponseToken(message: Buffer): Buffer {
  return slice(message, message.readUInt16LE(BODY + 56), message.readUInt16LE(BODY + 58));
}

export function sessionSetupRequestToken(message: Buffer): Buffer {
  return slice(message, message.readUInt16LE(BODY + 12), message.readUInt16LE(BODY + 14));
}

export function sessionSetupResponseToken(message: Buffer): Buffer {
  return slice(message, message.readUInt16LE(BODY + 4), message.readUInt16LE(BODY + 6));
}
