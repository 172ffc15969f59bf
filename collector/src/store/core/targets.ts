import { createHash } from 'node:crypto';

/** Revision of a targets document: the first 16 hex digits of the SHA-256 of its JSON. */
export function targetsRevision(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 16);
}
