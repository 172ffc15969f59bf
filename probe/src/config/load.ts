import { hostname } from 'node:os';
import {
  formatFieldErrors,
  hostPort,
  identifier,
  parseWith,
  probeConfig,
  regionCode,
} from '@flyprobe/shared';
import type { z } from 'zod';
import { EnvReader } from './env-values.ts';
import { SettingsError } from './errors.ts';
import { type ProbeFile, readProbeFile } from './file.ts';
import type { ProbeSettings } from './settings.ts';
import { PROBE_VERSION } from './version.ts';

export interface LoadOptions {
  /** TOML file; defaults to `FLYPROBE_CONFIG`. */
  configFile?: string;
}

/**
 * Builds the probe's settings from the environment (Fly's variables, FLYPROBE_* overrides) and the
 * optional TOML file. Environment wins over the file. Throws a SettingsError naming the bad field.
 */
export function loadProbeSettings(env: NodeJS.ProcessEnv, opts: LoadOptions = {}): ProbeSettings {
  const e = new EnvReader(env);
  const configFile = opts.configFile ?? e.string('FLYPROBE_CONFIG')?.value;
  const file: ProbeFile = configFile ? readProbeFile(configFile) : {};
  const f = (field: string) => (configFile ? `${configFile}: ${field}` : field);

  const region = pick(e.string('FLYPROBE_REGION', 'FLY_REGION'), file.probe?.region, f('probe.region'));
  if (!region)
    throw new SettingsError('FLYPROBE_REGION', 'required (or FLY_REGION): the region this probe runs in');
  validate(regionCode, region);

  const machine = pick(
    e.string('FLYPROBE_MACHINE_ID', 'FLY_MACHINE_ID', 'FLY_ALLOC_ID'),
    file.probe?.machineId,
    f('probe.machineId'),
  );
  const machineId = machine ?? { field: 'hostname', value: sanitizeId(hostname()) };
  validate(identifier, machineId);
  const probeId = pick(e.string('FLYPROBE_PROBE_ID'), file.probe?.id, f('probe.id')) ?? {
    field: 'FLYPROBE_PROBE_ID',
    value: `${region.value}-${machineId.value}`.slice(0, 64),
  };
  validate(identifier, probeId);
  const app = pick(
    e.string('FLYPROBE_APP', 'FLYPROBE_APP_NAME', 'FLY_APP_NAME'),
    file.probe?.app,
    f('probe.app'),
  );
  if (app) validate(identifier, app);

  const echoHttpPort = e.integer('FLYPROBE_ECHO_HTTP_PORT', 1, 65535) ?? file.echo?.httpPort ?? 8080;
  const echoTcpPort = e.integer('FLYPROBE_ECHO_TCP_PORT', 1, 65535) ?? file.echo?.tcpPort ?? 7070;
  const echoGrpcPort = e.integer('FLYPROBE_ECHO_GRPC_PORT', 1, 65535) ?? file.echo?.grpcPort ?? 50051;
  const metricsPort = e.integer('FLYPROBE_METRICS_PORT', 1, 65535) ?? file.metrics?.port ?? 9091;
  const privateIp = e.string('FLYPROBE_PRIVATE_IP', 'FLY_PRIVATE_IP')?.value;
  const echoAddress =
    e.string('FLYPROBE_ECHO_ADDRESS')?.value ??
    file.echo?.address ??
    (privateIp ? hostPort(privateIp, echoHttpPort) : undefined);
  if (echoAddress && !/^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):\d{1,5}$/.test(echoAddress)) {
    throw new SettingsError('FLYPROBE_ECHO_ADDRESS', 'must be host:port (IPv6 as [addr]:port)');
  }

  const onFly = Boolean(env.FLY_APP_NAME && env.FLY_REGION);
  const collectorUrl = pick(e.string('FLYPROBE_COLLECTOR_URL'), file.collector?.url, f('collector.url'));
  const token = pick(e.string('FLYPROBE_TOKEN'), file.collector?.token, f('collector.token'));
  let collector: ProbeSettings['collector'];
  if (collectorUrl) {
    const items = collectorUrl.value.split(',').map((u) => u.trim());
    const urls = items.map((item, i) => {
      const where = items.length > 1 ? ` (entry ${i + 1} of the comma-separated list)` : '';
      let url: URL;
      try {
        url = new URL(item);
      } catch {
        throw new SettingsError(collectorUrl.field, `must be an absolute http(s) URL${where}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new SettingsError(collectorUrl.field, `must be an absolute http(s) URL${where}`);
      }
      return url.href.replace(/\/+$/, '');
    });
    if (!token) throw new SettingsError('FLYPROBE_TOKEN', `required when ${collectorUrl.field} is set`);
    const [url, ...fallbackUrls] = urls as [string, ...string[]];
    collector = { url, ...(fallbackUrls.length > 0 && { fallbackUrls }), token: token.value };
  }

  // The collector's /v1/config carries the mesh (peers included) and would replace a local one silently.
  if (collector && file.mesh !== undefined)
    throw new SettingsError(
      `${configFile ?? 'config'}: mesh`,
      'with a collector the mesh is configured there (FLYPROBE_MESH, FLYPROBE_MESH_INTERVAL_MS, ' +
        'FLYPROBE_MESH_TIMEOUT_MS, FLYPROBE_MESH_PROTOCOLS on the collector); remove the [mesh] section, ' +
        'or run the probe without a collector',
    );
  const report = file.report ?? {};
  const local = parseWith(probeConfig, {
    schemaVersion: 1,
    revision: 'local',
    targets: file.targets ?? [],
    mesh: file.mesh,
    report: { intervalMs: report.intervalMs, maxBatch: report.maxBatch },
    configPollMs: file.configPollMs,
  });
  if (!local.ok) throw new SettingsError(configFile ?? 'config', formatFieldErrors(local.errors));

  return {
    identity: {
      probeId: probeId.value,
      region: region.value,
      machineId: machineId.value,
      app: app?.value,
      imageRef: e.string('FLYPROBE_IMAGE_REF', 'FLY_IMAGE_REF')?.value,
      privateIp,
      echoAddress,
      version: PROBE_VERSION,
    },
    collector,
    bind: e.string('FLYPROBE_BIND')?.value ?? file.bind ?? '::',
    echo: {
      enabled: e.boolean('FLYPROBE_ECHO_ENABLED') ?? file.echo?.enabled ?? true,
      httpPort: echoHttpPort,
      tcpPort: echoTcpPort,
      grpcPort: echoGrpcPort,
    },
    metricsPort,
    resolver: e.string('FLYPROBE_RESOLVER')?.value ?? file.resolver ?? (onFly ? 'fdaa::3' : undefined),
    spoolDir: e.string('FLYPROBE_SPOOL_DIR')?.value ?? file.spoolDir,
    shutdownTimeoutMs:
      e.integer('FLYPROBE_SHUTDOWN_TIMEOUT_MS', 100, 600_000) ?? report.shutdownTimeoutMs ?? 4_500,
    concurrency: e.integer('FLYPROBE_CONCURRENCY', 1, 10_000) ?? file.scheduler?.concurrency ?? 64,
    degradedLagMs: e.number('FLYPROBE_DEGRADED_LAG_MS', 1, 60_000) ?? file.health?.degradedLagMs ?? 50,
    degradedThrottleRatio: 0.5,
    healthWindowMs: file.health?.windowMs ?? 5_000,
    reporter: {
      maxBufferResults:
        e.integer('FLYPROBE_BUFFER_MAX_RESULTS', 1, 10_000_000) ?? report.maxBufferResults ?? 50_000,
      maxBufferBytes:
        e.integer('FLYPROBE_BUFFER_MAX_BYTES', 1024, 2 ** 40) ?? report.maxBufferBytes ?? 16 * 1024 * 1024,
      retryBaseMs: 500,
      retryMaxMs: 30_000,
      breakerThreshold: 5,
      breakerCooldownMs: 15_000,
      requestTimeoutMs: 10_000,
      heartbeatIntervalMs: 15_000,
      spoolSyncMs: 100,
    },
    localConfig: local.value,
  };
}

interface Sourced {
  field: string;
  value: string;
}

function pick(
  fromEnv: { name: string; value: string } | undefined,
  fromFile: string | undefined,
  fileField: string,
): Sourced | undefined {
  if (fromEnv) return { field: fromEnv.name, value: fromEnv.value };
  if (fromFile !== undefined) return { field: fileField, value: fromFile };
  return undefined;
}

function validate(schema: z.ZodType, v: Sourced): void {
  const r = schema.safeParse(v.value);
  if (!r.success) throw new SettingsError(v.field, r.error.issues[0]?.message ?? 'invalid');
}

function sanitizeId(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'local').slice(0, 64);
}
