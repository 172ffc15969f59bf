import type { ProbeIdentity } from '@flyprobe/shared';
import type { EchoPorts } from '../checks/core/check.ts';
import type { ProbeSettings } from '../config/settings.ts';
import { type RunningEcho, startEchoServer } from '../echo/server.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import { type HealthServer, startHealthServer } from '../health/server.ts';
import type { UndoStack } from './undo.ts';

/** The echo server mesh peers and targets' probes measure against; none when disabled. */
export async function startEcho(
  settings: ProbeSettings,
  identity: ProbeIdentity,
  undo: UndoStack,
): Promise<RunningEcho | undefined> {
  if (!settings.echo.enabled) return undefined;
  const echo = await startEchoServer({
    identity: {
      region: identity.region,
      machineId: identity.machineId,
      app: identity.app,
      startedAt: Math.round(Date.now() - process.uptime() * 1000),
      imageRef: identity.imageRef,
    },
    host: settings.bind,
    httpPort: settings.echo.httpPort,
    tcpPort: settings.echo.tcpPort,
    grpcPort: settings.echo.grpcPort,
  });
  undo.push(() => echo.close());
  return echo;
}

/** The echo ports: bound ones when this probe runs the echo server, else the configured ones (peers use the same). */
export function echoPorts(echo: RunningEcho | undefined, settings: ProbeSettings['echo']): EchoPorts {
  return {
    http: echo?.httpPort ?? settings.httpPort,
    tcp: echo?.tcpPort ?? settings.tcpPort,
    grpc: echo?.grpcPort ?? settings.grpcPort,
  };
}

/** `/metrics` and `/healthz`; none when the metrics port is negative. */
export async function startHealthEndpoint(
  settings: ProbeSettings,
  metrics: ProbeMetrics,
  status: () => Record<string, unknown>,
  undo: UndoStack,
): Promise<HealthServer | undefined> {
  if (settings.metricsPort < 0) return undefined;
  const server = await startHealthServer(metrics, status, settings.bind, settings.metricsPort);
  undo.push(() => server.close());
  return server;
}
