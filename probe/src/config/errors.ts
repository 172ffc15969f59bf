/** Thrown for invalid settings; the message starts with the offending field. */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'SettingsError';
  }
}
