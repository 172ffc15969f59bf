import { type EnvSpec, envParse, identifier, regionCode } from '@flyprobe/shared';
import type { z } from 'zod';

const { boolean, intRange, numberRange, text } = envParse;

/** A zod schema as an env parser; the reason is the schema's first message. */
export function matching(schema: z.ZodType<string>): (raw: string) => string {
  return (raw) => {
    const r = schema.safeParse(raw);
    if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'invalid');
    return r.data;
  };
}

/** `host:port` as mesh peers dial it, IPv6 as `[addr]:port`. */
export function echoAddress(raw: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):\d{1,5}$/.test(raw))
    throw new Error('must be host:port (IPv6 as [addr]:port)');
  return raw;
}

/** One or more absolute http(s) URLs, comma-separated, in failover order, without trailing slashes. */
export function collectorUrls(raw: string): string[] {
  const items = raw.split(',').map((u) => u.trim());
  return items.map((item, i) => {
    const where = items.length > 1 ? ` (entry ${i + 1} of the comma-separated list)` : '';
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new Error(`must be an absolute http(s) URL${where}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`must be an absolute http(s) URL${where}`);
    return url.href.replace(/\/+$/, '');
  });
}

const port = intRange(1, 65535);
const unset = undefined as string | undefined;
const unsetInt = undefined as number | undefined;

/**
 * Every variable the probe reads. Defaults are undefined where the TOML file may supply the value:
 * environment, then file, then the default named in `doc` (applied in load.ts).
 */
export const PROBE_ENV = {
  configFile: {
    name: 'FLYPROBE_CONFIG',
    parse: text,
    default: unset,
    doc: 'the optional TOML file (environment wins over it)',
  },
  region: {
    name: ['FLYPROBE_REGION', 'FLY_REGION'],
    parse: matching(regionCode),
    default: unset,
    doc: 'region this probe runs in (required; file `probe.region`)',
  },
  machineId: {
    name: ['FLYPROBE_MACHINE_ID', 'FLY_MACHINE_ID', 'FLY_ALLOC_ID'],
    parse: matching(identifier),
    default: unset,
    doc: 'Machine id (file `probe.machineId`, default: the hostname)',
  },
  probeId: {
    name: 'FLYPROBE_PROBE_ID',
    parse: matching(identifier),
    default: unset,
    doc: 'probe id (file `probe.id`, default: `<region>-<machine id>`)',
  },
  app: {
    name: ['FLYPROBE_APP', 'FLYPROBE_APP_NAME', 'FLY_APP_NAME'],
    parse: matching(identifier),
    default: unset,
    doc: 'Fly app the probe runs in (file `probe.app`)',
  },
  flyApp: {
    name: 'FLY_APP_NAME',
    parse: text,
    default: unset,
    doc: 'set by Fly; with FLY_REGION it means "on Fly" (resolver default)',
  },
  flyRegion: {
    name: 'FLY_REGION',
    parse: text,
    default: unset,
    doc: 'set by Fly; with FLY_APP_NAME it means "on Fly"',
  },
  echoHttpPort: {
    name: 'FLYPROBE_ECHO_HTTP_PORT',
    parse: port,
    default: unsetInt,
    doc: 'echo HTTP port (file `echo.httpPort`, default 8080)',
  },
  echoTcpPort: {
    name: 'FLYPROBE_ECHO_TCP_PORT',
    parse: port,
    default: unsetInt,
    doc: 'echo TCP port (file `echo.tcpPort`, default 7070)',
  },
  echoGrpcPort: {
    name: 'FLYPROBE_ECHO_GRPC_PORT',
    parse: port,
    default: unsetInt,
    doc: 'echo gRPC port (file `echo.grpcPort`, default 50051)',
  },
  metricsPort: {
    name: 'FLYPROBE_METRICS_PORT',
    parse: port,
    default: unsetInt,
    doc: '/metrics and /healthz port (file `metrics.port`, default 9091)',
  },
  privateIp: {
    name: ['FLYPROBE_PRIVATE_IP', 'FLY_PRIVATE_IP'],
    parse: text,
    default: unset,
    doc: '6PN address, for the default echo address',
  },
  echoAddress: {
    name: 'FLYPROBE_ECHO_ADDRESS',
    parse: echoAddress,
    default: unset,
    doc: 'echo host:port advertised to mesh peers (default: [private ip]:echo http port)',
  },
  collectorUrls: {
    name: 'FLYPROBE_COLLECTOR_URL',
    parse: collectorUrls,
    default: undefined as string[] | undefined,
    doc: 'collector URL(s), comma-separated in failover order (file `collector.url`); unset: local-only mode',
  },
  token: {
    name: 'FLYPROBE_TOKEN',
    parse: text,
    default: unset,
    doc: 'probe token for the collector (file `collector.token`)',
  },
  imageRef: {
    name: ['FLYPROBE_IMAGE_REF', 'FLY_IMAGE_REF'],
    parse: text,
    default: unset,
    doc: 'image ref stamped on the identity',
  },
  bind: {
    name: 'FLYPROBE_BIND',
    parse: text,
    default: unset,
    doc: 'listen address (file `bind`, default `::`)',
  },
  echoEnabled: {
    name: 'FLYPROBE_ECHO_ENABLED',
    parse: boolean,
    default: undefined as boolean | undefined,
    doc: 'run the echo server (file `echo.enabled`, default true)',
  },
  resolver: {
    name: 'FLYPROBE_RESOLVER',
    parse: text,
    default: unset,
    doc: 'DNS server for `*.internal` and `*.flycast` (file `resolver`, default on Fly: `fdaa::3`)',
  },
  spoolDir: {
    name: 'FLYPROBE_SPOOL_DIR',
    parse: text,
    default: unset,
    doc: 'results spool directory (file `spoolDir`)',
  },
  shutdownTimeoutMs: {
    name: 'FLYPROBE_SHUTDOWN_TIMEOUT_MS',
    parse: intRange(100, 600_000),
    default: unsetInt,
    doc: 'graceful stop budget (file `report.shutdownTimeoutMs`, default 4500)',
  },
  concurrency: {
    name: 'FLYPROBE_CONCURRENCY',
    parse: intRange(1, 10_000),
    default: unsetInt,
    doc: 'checks running at once (file `scheduler.concurrency`, default 64)',
  },
  degradedLagMs: {
    name: 'FLYPROBE_DEGRADED_LAG_MS',
    parse: numberRange(1, 60_000),
    default: unsetInt,
    doc: "event-loop delay that marks the probe degraded: a health window's p99, or one late timer in the open window (file `health.degradedLagMs`, default 50)",
  },
  maxBufferResults: {
    name: 'FLYPROBE_BUFFER_MAX_RESULTS',
    parse: intRange(1, 10_000_000),
    default: unsetInt,
    doc: 'buffered results (file `report.maxBufferResults`, default 50000)',
  },
  maxBufferBytes: {
    name: 'FLYPROBE_BUFFER_MAX_BYTES',
    parse: intRange(1024, 2 ** 40),
    default: unsetInt,
    doc: 'buffered bytes (file `report.maxBufferBytes`, default 16 MiB)',
  },
} satisfies EnvSpec;
