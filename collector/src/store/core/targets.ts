import { createHash } from 'node:crypto';
import type { TargetConfig } from '@flyprobe/shared';

/** Revision of a targets document: the first 16 hex digits of the SHA-256 of its JSON. */
export function targetsRevision(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 16);
}

/** The one targets row as both dialects store it. */
export interface TargetsRow {
  revision: string;
  document: string;
}

/** The row of a new document. */
export function targetsRow(targets: readonly TargetConfig[]): TargetsRow {
  const document = JSON.stringify(targets);
  return { revision: targetsRevision(document), document };
}

/** The document of the row; an absent row reads as an empty list. */
export function targetsFromRow(row: TargetsRow | undefined): { revision: string; targets: TargetConfig[] } {
  if (!row) return { revision: targetsRevision('[]'), targets: [] };
  return { revision: row.revision, targets: JSON.parse(row.document) as TargetConfig[] };
}
