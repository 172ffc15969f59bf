/**
 * The fly.toml keys Fly documents (https://fly.io/docs/reference/configuration/), as a small schema:
 * enough to catch a misspelled key, a wrong type or a value Fly does not accept in our two configs.
 */
export type Spec =
  | { kind: 'string'; oneOf?: readonly string[]; pattern?: RegExp }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'strings'; oneOf?: readonly string[] }
  | { kind: 'duration' }
  | { kind: 'size' }
  | { kind: 'either'; options: Spec[] }
  | { kind: 'table'; keys: Record<string, Spec>; required?: readonly string[] }
  | { kind: 'map'; values: Spec }
  | { kind: 'tables'; item: Spec };

const str = (oneOf?: readonly string[]): Spec => ({ kind: 'string', oneOf });
const int = (min?: number, max?: number): Spec => ({ kind: 'integer', min, max });
const bool: Spec = { kind: 'boolean' };
const strings = (oneOf?: readonly string[]): Spec => ({ kind: 'strings', oneOf });
const duration: Spec = { kind: 'duration' };
const size: Spec = { kind: 'size' };
const table = (keys: Record<string, Spec>, required?: readonly string[]): Spec => ({
  kind: 'table',
  keys,
  required,
});
const tables = (item: Spec): Spec => ({ kind: 'tables', item });
const either = (...options: Spec[]): Spec => ({ kind: 'either', options });
const map = (values: Spec): Spec => ({ kind: 'map', values });

const port = int(1, 65_535);
const autoStop = either(str(['off', 'stop', 'suspend']), bool);
const concurrency = table({ type: str(['connections', 'requests']), hard_limit: int(1), soft_limit: int(1) });
const tlsOptions = table({
  alpn: strings(['h2', 'http/1.1']),
  versions: strings(['TLSv1.2', 'TLSv1.3']),
  default_self_signed: bool,
});
const httpOptions = table({
  idle_timeout: int(1),
  h2_backend: bool,
  response: table({ pristine: bool, headers: map(either(str(), bool, strings())) }),
});
/** An HTTP health check's keys, shared by `[[http_service.checks]]` and the top-level `[checks.<name>]`. */
const httpCheckKeys: Record<string, Spec> = {
  grace_period: duration,
  interval: duration,
  timeout: duration,
  method: str(['get', 'GET', 'head', 'HEAD', 'post', 'POST']),
  path: { kind: 'string', pattern: /^\// },
  protocol: str(['http', 'https']),
  tls_server_name: str(),
  tls_skip_verify: bool,
  headers: map(str()),
};
const httpCheck = table(httpCheckKeys);
const machineCheck = table({
  image: str(),
  entrypoint: strings(),
  command: strings(),
  kill_signal: str(),
  kill_timeout: duration,
});
const processes = strings();
const metricsTable = table({ port, path: { kind: 'string', pattern: /^\// }, processes }, ['port', 'path']);

export const FLY_TOML: Spec = table(
  {
    app: str(),
    primary_region: { kind: 'string', pattern: /^[a-z]{3}$/ },
    kill_signal: str(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL', 'SIGSTOP']),
    kill_timeout: either(int(1, 300), duration),
    console_command: str(),
    swap_size_mb: int(1),
    build: table({
      builder: str(),
      buildpacks: strings(),
      image: str(),
      dockerfile: str(),
      ignorefile: str(),
      'build-target': str(),
      args: map(str()),
    }),
    deploy: table({
      release_command: str(),
      release_command_timeout: duration,
      strategy: str(['rolling', 'immediate', 'canary', 'bluegreen']),
      max_unavailable: either(int(1), { kind: 'string' }),
      wait_timeout: duration,
    }),
    env: map(str()),
    http_service: table(
      {
        processes,
        internal_port: port,
        force_https: bool,
        auto_stop_machines: autoStop,
        auto_start_machines: bool,
        min_machines_running: int(0),
        concurrency,
        http_options: httpOptions,
        tls_options: tlsOptions,
        checks: tables(httpCheck),
        machine_checks: tables(machineCheck),
      },
      ['internal_port'],
    ),
    services: tables(
      table(
        {
          processes,
          internal_port: port,
          protocol: str(['tcp', 'udp']),
          auto_stop_machines: autoStop,
          auto_start_machines: bool,
          min_machines_running: int(0),
          ports: tables(
            table({
              handlers: strings(['http', 'tls', 'pg_tls', 'proxy_proto']),
              port,
              start_port: port,
              end_port: port,
              force_https: bool,
              http_options: httpOptions,
              tls_options: tlsOptions,
              proxy_proto_options: table({ version: str(['v1', 'v2']) }),
            }),
          ),
          concurrency,
          tcp_checks: tables(
            table({ grace_period: duration, interval: duration, timeout: duration, restart_limit: int(0) }),
          ),
          http_checks: tables(httpCheck),
          machine_checks: tables(machineCheck),
        },
        ['internal_port', 'protocol', 'ports'],
      ),
    ),
    mounts: table(
      {
        source: str(),
        destination: { kind: 'string', pattern: /^\/.+/ },
        processes,
        initial_size: either(size, int(1)),
        snapshot_retention: int(1, 60),
        auto_extend_size_threshold: int(1, 100),
        auto_extend_size_increment: size,
        auto_extend_size_limit: size,
      },
      ['source', 'destination'],
    ),
    vm: tables(
      table({
        size: { kind: 'string', pattern: /^(shared-cpu|performance)-\d+x$/ },
        memory: either(size, int(256)),
        cpus: int(1, 16),
        cpu_kind: str(['shared', 'performance']),
        gpus: int(1, 8),
        gpu_kind: str(),
        kernel_args: str(),
        host_dedication_id: str(),
        processes,
      }),
    ),
    restart: tables(table({ policy: str(['always', 'never', 'on-failure']), retries: int(0), processes })),
    checks: map(
      table(
        {
          type: str(['http', 'tcp']),
          port,
          ...httpCheckKeys,
          processes,
        },
        ['type', 'port'],
      ),
    ),
    processes: map(str()),
    metrics: either(metricsTable, tables(metricsTable)),
    statics: tables(
      table({ guest_path: str(), url_prefix: str(), tigris_bucket: str(), index_document: str() }),
    ),
    experimental: table({ cmd: strings(), entrypoint: strings(), exec: strings() }),
  },
  ['app'],
);

const isTable = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns every violation as "path: problem"; an empty list means the document fits the schema. */
export function validate(spec: Spec, value: unknown, path = ''): string[] {
  const at = path || '(root)';
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return [`${at}: must be a string`];
      if (spec.oneOf && !spec.oneOf.includes(value))
        return [`${at}: must be one of ${spec.oneOf.join(', ')}`];
      if (spec.pattern && !spec.pattern.test(value))
        return [`${at}: "${value}" does not match ${spec.pattern}`];
      return [];
    case 'integer': {
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return [`${at}: must be an integer`];
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return [`${at}: ${n} is out of range`];
      }
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: must be a boolean`];
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return [`${at}: must be an array of strings`];
      return spec.oneOf
        ? value
            .filter((v) => !spec.oneOf?.includes(v))
            .map((v) => `${at}: "${v}" is not one of ${spec.oneOf?.join(', ')}`)
        : [];
    case 'duration':
      return typeof value === 'string' && /^\d+(ms|s|m|h)$/.test(value)
        ? []
        : [`${at}: must be a duration like "10s"`];
    case 'size':
      return typeof value === 'string' && /^\d+(mb|gb)$/i.test(value)
        ? []
        : [`${at}: must be a size like "256mb"`];
    case 'either': {
      const results = spec.options.map((o) => validate(o, value, path));
      return results.some((r) => r.length === 0) ? [] : (results[0] ?? []);
    }
    case 'map':
      if (!isTable(value)) return [`${at}: must be a table`];
      return Object.entries(value).flatMap(([k, v]) => validate(spec.values, v, path ? `${path}.${k}` : k));
    case 'tables':
      if (!Array.isArray(value)) return [`${at}: must be an array of tables ([[${path}]])`];
      return value.flatMap((v, i) => validate(spec.item, v, `${path}[${i}]`));
    case 'table': {
      if (!isTable(value)) return [`${at}: must be a table`];
      const errors: string[] = [];
      for (const key of spec.required ?? [])
        if (!(key in value)) errors.push(`${path ? `${path}.` : ''}${key}: is required`);
      for (const [k, v] of Object.entries(value)) {
        const sub = path ? `${path}.${k}` : k;
        const child = spec.keys[k];
        if (!child) errors.push(`${sub}: is not a documented fly.toml key`);
        else errors.push(...validate(child, v, sub));
      }
      return errors;
    }
  }
}

/** "256mb" / "1gb" / 512 -> megabytes. */
export function sizeToMb(value: unknown): number {
  if (typeof value === 'number') return value;
  const m = String(value).match(/^(\d+)(mb|gb)$/i);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2]!.toLowerCase() === 'gb' ? 1024 : 1);
}
