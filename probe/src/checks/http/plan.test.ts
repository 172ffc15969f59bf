import { describe, expect, it } from 'vitest';
import { meshPlacement, targetPlacement } from '../testing/placement.ts';
import { planHttp, planHttpMesh } from './plan.ts';

describe('http plan', () => {
  it("carries the target's path, statuses and keep-alive, and drops TLS over 6PN", () => {
    const input = { http: { tls: true, path: '/health', expectStatus: [204], keepAlive: true } };
    expect(planHttp(targetPlacement(input, 'anycast')).check).toMatchObject({
      protocol: 'http',
      httpPath: '/health',
      tls: true,
      expectStatus: [204],
      keepAlive: true,
    });
    expect(planHttp(targetPlacement(input, 'private', 'fra')).check.tls).toBe(false);
  });

  it("asks a mesh peer's echo server for /echo at its advertised address", () => {
    expect(planHttpMesh(meshPlacement())).toMatchObject({ host: 'fdaa::2', port: 8080, httpPath: '/echo' });
  });
});
