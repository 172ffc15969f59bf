import pkg from '../../package.json' with { type: 'json' };

/** Reported in the probe identity; follows the package version. */
export const PROBE_VERSION: string = pkg.version;
