import { readFile } from 'node:fs/promises';
import { formatFieldErrors, parseTargets } from '@flyprobe/shared';
import type { Store } from '../store/store.ts';

/** Loads FLYPROBE_TARGETS_FILE into the store; an unchanged document keeps its revision (and probes' ETags). */
export async function loadTargetsFile(store: Store, file: string): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`FLYPROBE_TARGETS_FILE: cannot read "${file}" as JSON: ${(err as Error).message}`);
  }
  const parsed = parseTargets(input);
  if (!parsed.ok) throw new Error(`FLYPROBE_TARGETS_FILE: "${file}": ${formatFieldErrors(parsed.errors)}`);
  await store.putTargets(parsed.targets);
}
