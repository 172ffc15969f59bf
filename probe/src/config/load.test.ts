import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsError } from './errors.ts';
import { loadProbeSettings } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tomlFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const base = { FLY_REGION: 'iad', FLY_MACHINE_ID: '3d8d9931c05789' };

describe('loadProbeSettings', () => {
  it('takes identity from the Fly environment with defaults', () => {
    const s = loadProbeSettings({
      ...base,
      FLY_APP_NAME: 'probes',
      FLY_PRIVATE_IP: 'fdaa:0:1::2',
      FLY_IMAGE_REF: 'registry/probe:1',
    });
    expect(s.identity).toMatchObject({
      probeId: 'iad-3d8d9931c05789',
      region: 'iad',
      machineId: '3d8d9931c05789',
      app: 'probes',
      imageRef: 'registry/probe:1',
      echoAddress: '[fdaa:0:1::2]:8080',
    });
    expect(s.echo).toEqual({ enabled: true, httpPort: 8080, tcpPort: 7070, grpcPort: 50051 });
    expect(s.metricsPort).toBe(9091);
    expect(s.bind).toBe('::');
    expect(s.resolver).toBe('fdaa::3');
    expect(s.collector).toBeUndefined();
    expect(s.localConfig.targets).toEqual([]);
  });

  it('lets FLYPROBE_* variables override Fly values', () => {
    const s = loadProbeSettings({
      ...base,
      FLYPROBE_REGION: 'fra',
      FLYPROBE_PROBE_ID: 'lab-fra',
      FLYPROBE_COLLECTOR_URL: 'http://127.0.0.1:9000/',
      FLYPROBE_TOKEN: 'secret',
      FLYPROBE_RESOLVER: '127.0.0.1:5353',
      FLYPROBE_SPOOL_DIR: '/data/spool',
    });
    expect(s.identity.region).toBe('fra');
    expect(s.identity.probeId).toBe('lab-fra');
    expect(s.collector).toEqual({ url: 'http://127.0.0.1:9000', token: 'secret' });
    expect(s.resolver).toBe('127.0.0.1:5353');
    expect(s.spoolDir).toBe('/data/spool');
  });

  it.each([
    [{ FLYPROBE_ECHO_HTTP_PORT: 'eighty' }, 'FLYPROBE_ECHO_HTTP_PORT: must be an integer 1-65535'],
    [{ FLYPROBE_METRICS_PORT: '70000' }, 'FLYPROBE_METRICS_PORT: must be an integer 1-65535'],
    [{ FLYPROBE_REGION: 'Frankfurt' }, 'FLYPROBE_REGION: must be a three-letter lowercase region code'],
    [{ FLYPROBE_COLLECTOR_URL: 'ftp://x' }, 'FLYPROBE_COLLECTOR_URL: must be an absolute http(s) URL'],
    [{ FLYPROBE_COLLECTOR_URL: 'http://x' }, 'FLYPROBE_TOKEN: required when FLYPROBE_COLLECTOR_URL is set'],
    [{ FLYPROBE_PROBE_ID: 'has space' }, 'FLYPROBE_PROBE_ID: must be letters, digits'],
    [{ FLYPROBE_ECHO_ADDRESS: 'fdaa::3:8080' }, 'FLYPROBE_ECHO_ADDRESS: must be host:port'],
    [{ FLYPROBE_ECHO_ENABLED: 'maybe' }, 'FLYPROBE_ECHO_ENABLED: must be true or false'],
  ])('names the bad variable: %o', (env, message) => {
    expect(() => loadProbeSettings({ ...base, ...env })).toThrow(message);
  });

  it('names every bad variable at once, the first as the error field', () => {
    let error: unknown;
    try {
      loadProbeSettings({
        ...base,
        FLYPROBE_REGION: 'Frankfurt',
        FLYPROBE_ECHO_TCP_PORT: '0',
        FLYPROBE_ECHO_ENABLED: 'maybe',
        FLYPROBE_BUFFER_MAX_BYTES: '12',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).field).toBe('FLYPROBE_REGION');
    expect((error as Error).message).toBe(
      'FLYPROBE_REGION: must be a three-letter lowercase region code; ' +
        'FLYPROBE_ECHO_TCP_PORT: must be an integer 1-65535; FLYPROBE_ECHO_ENABLED: must be true or false; ' +
        'FLYPROBE_BUFFER_MAX_BYTES: must be an integer 1024-1099511627776',
    );
  });

  it('takes a comma-separated, ordered list of collector URLs and names a bad entry', () => {
    const s = loadProbeSettings({
      ...base,
      FLYPROBE_COLLECTOR_URL: 'http://fra.c.internal:8080/, http://iad.c.internal:8080',
      FLYPROBE_TOKEN: 'probe-secret',
    });
    expect(s.collector).toEqual({
      url: 'http://fra.c.internal:8080',
      fallbackUrls: ['http://iad.c.internal:8080'],
      token: 'probe-secret',
    });
    expect(
      loadProbeSettings({ ...base, FLYPROBE_COLLECTOR_URL: 'http://one:8080', FLYPROBE_TOKEN: 't' })
        .collector,
    ).toEqual({ url: 'http://one:8080', token: 't' });
    expect(() =>
      loadProbeSettings({ ...base, FLYPROBE_COLLECTOR_URL: 'http://a:1,ftp://b', FLYPROBE_TOKEN: 't' }),
    ).toThrow(/FLYPROBE_COLLECTOR_URL.*entry 2 of the comma-separated list/);
  });

  it('requires a region', () => {
    expect(() => loadProbeSettings({})).toThrow(/^FLYPROBE_REGION: required/);
  });

  it('reads the TOML file, with the environment taking precedence', () => {
    const file = tomlFile(
      'ok.toml',
      `
bind = "127.0.0.1"
[collector]
url = "http://collector.internal:8080"
token = "from-file"
[echo]
httpPort = 18080
[report]
intervalMs = 500
maxBatch = 100
maxBufferResults = 1000
[[targets]]
name = "web"
host = "web.fly.dev"
regions = ["fra"]
`,
    );
    const s = loadProbeSettings({ ...base, FLYPROBE_CONFIG: file, FLYPROBE_TOKEN: 'from-env' });
    expect(s.bind).toBe('127.0.0.1');
    expect(s.collector).toEqual({ url: 'http://collector.internal:8080', token: 'from-env' });
    expect(s.echo.httpPort).toBe(18080);
    expect(s.reporter.maxBufferResults).toBe(1000);
    expect(s.localConfig.report).toEqual({ intervalMs: 500, maxBatch: 100 });
    expect(s.localConfig.targets[0]).toMatchObject({
      name: 'web',
      intervalMs: 15_000,
      paths: ['anycast', 'pinned', 'private'],
    });
  });

  it('refuses a mesh section when a collector serves the mesh, and honours it without one', () => {
    const file = tomlFile('mesh.toml', '[mesh]\nenabled = true\nintervalMs = 2000\n');
    expect(() =>
      loadProbeSettings({
        ...base,
        FLYPROBE_CONFIG: file,
        FLYPROBE_COLLECTOR_URL: 'http://c:8080',
        FLYPROBE_TOKEN: 't',
      }),
    ).toThrow(`${file}: mesh: with a collector the mesh is configured there (FLYPROBE_MESH,`);
    const s = loadProbeSettings({ ...base, FLYPROBE_CONFIG: file });
    expect(s.localConfig.mesh).toMatchObject({ enabled: true, intervalMs: 2000 });
  });

  it('names the bad field of the TOML file', () => {
    const file = tomlFile('bad-interval.toml', '[[targets]]\nname = "web"\nhost = "x"\nintervalMs = 5\n');
    expect(() => loadProbeSettings({ ...base, FLYPROBE_CONFIG: file })).toThrow(
      `${file}: targets[0].intervalMs:`,
    );
    const unknown = tomlFile('unknown.toml', '[echo]\nhttp_port = 80\n');
    expect(() => loadProbeSettings({ ...base }, { configFile: unknown })).toThrow(
      `${unknown}: echo: unknown field(s): http_port`,
    );
    const syntax = tomlFile('syntax.toml', '[echo\nhttpPort = 1\n');
    expect(() => loadProbeSettings({ ...base, FLYPROBE_CONFIG: syntax })).toThrow(
      `${syntax}: invalid TOML at line 1`,
    );
    expect(() => loadProbeSettings({ ...base, FLYPROBE_CONFIG: join(dir, 'missing.toml') })).toThrow(
      /^FLYPROBE_CONFIG: cannot read/,
    );
  });
});
