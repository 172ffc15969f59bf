import { hostname } from 'node:os';
import {
  EnvError,
  type EnvValues,
  formatFieldErrors,
  hostPort,
  identifier,
  parseWith,
  probeConfig,
  readEnv,
  regionCode,
} from '@flyprobe/shared';
import type { z } from 'zod';
import { collectorUrls, echoAddress, matching, PROBE_ENV } from './env.ts';
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
  let v: EnvValues<typeof PROBE_ENV>;
  try {
    v = readEnv(env, PROBE_ENV);
  } catch (err) {
    throw err instanceof EnvError ? SettingsError.fromEnv(err) : err;
  }
  const configFile = opts.configFile ?? v.configFile;
  const file: ProbeFile = configFile ? readProbeFile(configFile) : {};
  const f = (field: string) => (configFile ? `${configFile}: ${field}` : field);
  // Values from the environment were validated by their parsers; file values are validated here.
  const fromFile = (value: string | undefined, field: string, schema: z.ZodType<string>) =>
    sourced(f(field), value, matching(schema));

  const region = v.region ?? fromFile(file.probe?.region, 'probe.region', regionCode);
  if (!region)
    throw new SettingsError('FLYPROBE_REGION', 'required (or FLY_REGION): the region this probe runs in');
  const machineId =
    v.machineId ??
    fromFile(file.probe?.machineId, 'probe.machineId', identifier) ??
    sourced('hostname', sanitizeId(hostname()), matching(identifier));
  const probeId =
    v.probeId ??
    fromFile(file.probe?.id, 'probe.id', identifier) ??
    sourced('FLYPROBE_PROBE_ID', `${region}-${machineId}`.slice(0, 64), matching(identifier));
  const app = v.app ?? fromFile(file.probe?.app, 'probe.app', identifier);

  const echoHttpPort = v.echoHttpPort ?? file.echo?.httpPort ?? 8080;
  const echoTcpPort = v.echoTcpPort ?? file.echo?.tcpPort ?? 7070;
  const echoGrpcPort = v.echoGrpcPort ?? file.echo?.grpcPort ?? 50051;
  const metricsPort = v.metricsPort ?? file.metrics?.port ?? 9091;
  const privateIp = v.privateIp;
  const echoAddr =
    v.echoAddress ??
    sourced(
      'FLYPROBE_ECHO_ADDRESS',
      file.echo?.address ?? (privateIp ? hostPort(privateIp, echoHttpPort) : undefined),
      echoAddress,
    );

  const onFly = Boolean(v.flyApp && v.flyRegion);
  const collectorUrl = v.collectorUrls ?? sourced(f('collector.url'), file.collector?.url, collectorUrls);
  const token = v.token ?? file.collector?.token;
  let collector: ProbeSettings['collector'];
  if (collectorUrl) {
    const field = v.collectorUrls ? 'FLYPROBE_COLLECTOR_URL' : f('collector.url');
    if (!token) throw new SettingsError('FLYPROBE_TOKEN', `required when ${field} is set`);
    const [url, ...fallbackUrls] = collectorUrl as [string, ...string[]];
    collector = { url, ...(fallbackUrls.length > 0 && { fallbackUrls }), token };
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
      probeId,
      region,
      machineId,
      app,
      imageRef: v.imageRef,
      privateIp,
      echoAddress: echoAddr,
      version: PROBE_VERSION,
    },
    collector,
    bind: v.bind ?? file.bind ?? '::',
    echo: {
      enabled: v.echoEnabled ?? file.echo?.enabled ?? true,
      httpPort: echoHttpPort,
      tcpPort: echoTcpPort,
      grpcPort: echoGrpcPort,
    },
    metricsPort,
    resolver: v.resolver ?? file.resolver ?? (onFly ? 'fdaa::3' : undefined),
    spoolDir: v.spoolDir ?? file.spoolDir,
    shutdownTimeoutMs: v.shutdownTimeoutMs ?? report.shutdownTimeoutMs ?? 4_500,
    concurrency: v.concurrency ?? file.scheduler?.concurrency ?? 64,
    degradedLagMs: v.degradedLagMs ?? file.health?.degradedLagMs ?? 50,
    degradedThrottleRatio: 0.5,
    healthWindowMs: file.health?.windowMs ?? 5_000,
    reporter: {
      maxBufferResults: v.maxBufferResults ?? report.maxBufferResults ?? 50_000,
      maxBufferBytes: v.maxBufferBytes ?? report.maxBufferBytes ?? 16 * 1024 * 1024,
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

/** Parses a value that did not come from its variable (file or derived), naming `field` on failure. */
function sourced<T>(field: string, value: string, parse: (raw: string) => T): T;
function sourced<T>(field: string, value: string | undefined, parse: (raw: string) => T): T | undefined;
function sourced<T>(field: string, value: string | undefined, parse: (raw: string) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (err) {
    throw new SettingsError(field, (err as Error).message);
  }
}

function sanitizeId(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'local').slice(0, 64);
}
