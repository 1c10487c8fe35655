/**
 * A setting is missing or invalid. The message is one line, starting with the variable's name,
 * because it is the only thing an admin sees when the server refuses to start.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`.replace(/\s*\n\s*/g, ' '));
  }
}
