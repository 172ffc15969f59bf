import { describe, expect, it } from 'vitest';
import { meshPlacement, targetPlacement } from '../testing/placement.ts';
import { planTcp, planTcpMesh } from './plan.ts';

describe('tcp plan', () => {
  it('plans nothing on the pinned path (raw TCP cannot carry fly-force-region), the echo check elsewhere', () => {
    expect(planTcp(targetPlacement({}, 'pinned', 'fra'))).toBeUndefined();
    expect(planTcp(targetPlacement({}, 'private', 'fra'))?.check).toMatchObject({
      protocol: 'tcp',
      path: 'private',
    });
  });

  it("dials a mesh peer's tcpAddress, else its host on the echo TCP port, and warns on a bad tcpAddress", () => {
    expect(planTcpMesh(meshPlacement({ tcpAddress: 'fra.example:7777' }))).toMatchObject({
      host: 'fra.example',
      port: 7777,
    });
    expect(planTcpMesh(meshPlacement())).toMatchObject({ host: 'fdaa::2', port: 7070 });
    expect(planTcpMesh(meshPlacement({ tcpAddress: 'no-port' }))).toEqual({
      warning: 'tcpAddress no-port is not host:port',
    });
  });
});
