import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type FieldError, parseTargets, type TargetConfig } from '@flyprobe/shared';
import { parse as parseToml } from 'smol-toml';
import { CliError, errorMessage } from '../errors.ts';

/**
 * Reads a targets file: TOML (`[[targets]]` tables) or JSON (an array, or `{"targets": [...]}` as
 * `flyprobe targets list --json` prints it), then validates it exactly as the collector's
 * `PUT /v1/targets` does.
 */
export async function readTargetsFile(
  file: string,
): Promise<{ ok: true; targets: TargetConfig[] } | { ok: false; errors: FieldError[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  const toml = extname(file).toLowerCase() === '.toml';
  let doc: unknown;
  try {
    doc = toml ? parseToml(text) : JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid ${toml ? 'TOML' : 'JSON'}: ${errorMessage(err)}`);
  }
  const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
  if (isObject) {
    const { targets, revision: _revision, ...rest } = doc as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      return {
        ok: false,
        errors: [{ field: '', message: `unknown top-level key(s): ${unknown.join(', ')}` }],
      };
    if (targets === undefined)
      return {
        ok: false,
        errors: [{ field: 'targets', message: toml ? 'no [[targets]] tables' : 'is required' }],
      };
    return parseTargets(targets);
  }
  return parseTargets(doc);
}
