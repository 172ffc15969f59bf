import { randomBytes } from 'node:crypto';
import { CollectorApiError, type CollectorClient } from '../collector-api/client.ts';
import { CliError } from '../errors.ts';

/** POST /v1/tokens answer for a probe token (the trust contract): the secret is shown once. */
export interface IssuedProbeToken {
  id: string;
  secret: string;
  probeId: string;
  app: string;
  region: string;
}

/** Mints and revokes per-Machine probe tokens; `deploy` and `destroy` take it as a seam. */
export interface ProbeTokenIssuer {
  mint(request: { probeId: string; app: string; region: string; name: string }): Promise<IssuedProbeToken>;
  revoke(id: string): Promise<void>;
}

/** `<region>-<6 hex>`: chosen by deploy, so the token can be bound to it before the Machine exists. */
export function newProbeId(region: string): string {
  return `${region}-${randomBytes(3).toString('hex')}`;
}

/** The collector's token API (admin token): one token bound to probe id + app + region per Machine. */
export function collectorTokenIssuer(collector: CollectorClient): ProbeTokenIssuer {
  return {
    async mint(request) {
      const body = await collector.post<unknown>('/v1/tokens', { role: 'probe', ...request });
      return parseIssued(body);
    },
    async revoke(id) {
      try {
        await collector.delete(`/v1/tokens/${encodeURIComponent(id)}`);
      } catch (err) {
        // Already revoked (an earlier run that stopped half-way): the goal is reached.
        if (!(err instanceof CollectorApiError && err.status === 404)) throw err;
      }
    },
  };
}

function parseIssued(body: unknown): IssuedProbeToken {
  const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const field of ['id', 'secret', 'probeId', 'app', 'region'] as const) {
    if (typeof o[field] !== 'string' || o[field] === '') {
      throw new CliError(
        `collector POST /v1/tokens answer has no "${field}" (is the collector older than flyprobe?)`,
      );
    }
  }
  return o as unknown as IssuedProbeToken;
}
