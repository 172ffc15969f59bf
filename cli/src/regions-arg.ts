import { checkDeployableRegion } from '@flyprobe/shared';
import { CliError, UsageError } from './errors.ts';

/**
 * Parses `--regions iad,fra,syd` into distinct current region codes. Every bad code is reported at once,
 * with the replacement for deprecated ones (from the shared catalog).
 */
export function parseRegionList(raw: string | undefined, flag = '--regions'): string[] {
  if (raw === undefined || raw.trim() === '')
    throw new UsageError(`${flag} is required (e.g. ${flag} iad,fra,syd)`);
  const codes: string[] = [];
  const problems: string[] = [];
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const check = checkDeployableRegion(part);
    if (check.ok) {
      if (!codes.includes(check.region.code)) codes.push(check.region.code);
    } else problems.push(check.message);
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  if (codes.length === 0) throw new UsageError(`${flag} lists no regions`);
  return codes;
}
