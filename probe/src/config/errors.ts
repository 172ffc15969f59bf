import type { EnvError } from '@flyprobe/shared';

/** Thrown for invalid settings; the message starts with the offending field. */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'SettingsError';
  }

  /** Every bad variable of one read; `field` is the first, the message lists them all. */
  static fromEnv(err: EnvError): SettingsError {
    const [first, ...rest] = err.problems;
    const reason = [first?.reason ?? 'invalid', ...rest.map((p) => `${p.name}: ${p.reason}`)].join('; ');
    return new SettingsError(first?.name ?? 'environment', reason);
  }
}
