/** The few SMB2 header offsets the crypto layer reads (MS-SMB2 2.2.1). */
export const SMB2_HEADER_LENGTH = 64;
export const SMB2_PROTOCOL_ID = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
export const COMMAND_OFFSET = 12;
export const FLAGS_OFFSET = 16;
export const MESSAGE_ID_OFFSET = 24;
export const SIGNATURE_OFFSET = 48;
export const SIGNATURE_LENGTH = 16;

export const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
export const SMB2_CANCEL = 0x000c;

export function hasSmb2Header(message: Buffer): boolean {
  return message.length >= SMB2_HEADER_LENGTH && message.subarray(0, 4).equals(SMB2_PROTOCOL_ID);
}
