import type { MeshPlacement, PlannedSpecs, TargetPlacement } from '../core/check.ts';
import type { HttpSpec } from './spec.ts';

/** A GET of the target's path; over 6PN in plaintext. */
export function planHttp({ target, base, over6pn }: TargetPlacement): PlannedSpecs<HttpSpec> {
  const { http } = target;
  return {
    check: {
      ...base,
      protocol: 'http',
      httpPath: http.path,
      tls: over6pn ? false : http.tls,
      expectStatus: http.expectStatus,
      keepAlive: http.keepAlive,
    },
  };
}

/** A mesh peer's echo server answers on `/echo` at its advertised address. */
export function planHttpMesh({ base, address }: MeshPlacement): HttpSpec {
  return { ...base, protocol: 'http', host: address.host, port: address.port, httpPath: '/echo' };
}
