/** Joins hex fragments (as published, wrapped across lines) into one Buffer. */
export function hex(...parts: string[]): Buffer {
  const text = parts.join('').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error(`bad hex fixture: ${text.slice(0, 40)}…`);
  return Buffer.from(text, 'hex');
}
