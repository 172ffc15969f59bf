import { SettingsError } from './errors.ts';

/** Reads typed values from the environment; every failure names the variable. */
export class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** First non-empty value among `names`, with the name it came from. */
  string(...names: string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.env[name]?.trim();
      if (value) return { name, value };
    }
    return undefined;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (!raw) return undefined;
    const n = /^-?\d+$/.test(raw.value) ? Number(raw.value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new SettingsError(name, `must be an integer ${min}-${max}`);
    }
    return n;
  }

  number(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (!raw) return undefined;
    const n = Number(raw.value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new SettingsError(name, `must be a number ${min}-${max}`);
    return n;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (!raw) return undefined;
    const v = raw.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new SettingsError(name, 'must be true or false');
  }
}
