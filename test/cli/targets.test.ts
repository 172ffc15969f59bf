import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestCollector, type TestCollector } from './testing/collector.ts';
import { runMain } from './testing/run-main.ts';

const GOOD_TOML = `
[[targets]]
name = "web"
host = "web.fly.dev"
app = "web"
regions = ["iad", "fra"]
paths = ["anycast", "pinned", "private"]
protocols = ["http", "grpc"]
intervalMs = 10000

  [targets.http]
  port = 443
  tls = true
  path = "/echo"

[[targets]]
name = "api"
host = "api.example.com"
paths = ["anycast"]
protocols = ["tcp"]
`;

const BAD_TOML = `
[[targets]]
name = "web"
host = "web.fly.dev"
intervalMs = -5
protocols = ["http", "quic"]

  [targets.http]
  port = 70000

[[targets]]
name = "web"
hots = "typo.example.com"
`;

describe('flyprobe targets against a real collector', { timeout: 60_000 }, () => {
  let c: TestCollector;
  let dir: string;
  const env = () => ({ FLYPROBE_COLLECTOR_URL: c.url, FLYPROBE_TOKEN: ADMIN_TOKEN });
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    c = await startTestCollector();
    dir = mkdtempSync(join(tmpdir(), 'flyprobe-targets-'));
  });
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate names every bad field, one per line, without contacting the collector', async () => {
    const bad = file('bad.toml', BAD_TOML);
    const r = await runMain(['targets', 'validate', bad], {});
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\S+bad\.toml: \[0\]\.protocols\[1\]: /),
        expect.stringMatching(/^\S+bad\.toml: \[0\]\.http\.port: /),
        expect.stringMatching(/^\S+bad\.toml: \[0\]\.intervalMs: /),
        expect.stringMatching(/^\S+bad\.toml: \[1\]: unknown field\(s\): hots$/),
      ]),
    );
    expect(r.stdout).toBe('');
  });

  it('validate accepts a good TOML file and apply sets it; list shows it; a second apply is a new revision only if changed', async () => {
    const good = file('good.toml', GOOD_TOML);
    const v = await runMain(['targets', 'validate', good], {});
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(`${good}: 2 target(s) valid (web, api)\n`);

    const dry = await runMain(['targets', 'apply', good, '--dry-run'], env());
    expect(dry.code).toBe(0);
    expect((await runMain(['targets', 'list', '--json'], env())).stdout).toContain('"targets": []');

    const a = await runMain(['targets', 'apply', good], env());
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^applied 2 target\(s\) \(web, api\); revision \S+\n$/);

    const list = await runMain(['targets', 'list'], env());
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^web\s+web\.fly\.dev\s+web\s+iad,fra\s+anycast,pinned,private\s+http,grpc\s+10s$/m,
    );
    expect(list.stdout).toMatch(/^api\s+api\.example\.com\s+-\s+-\s+anycast\s+tcp\s+15s$/m);

    // `list --json` output is a valid file for apply (round trip), with defaults filled in.
    const json = await runMain(['targets', 'list', '--json'], env());
    const roundTrip = file('round.json', json.stdout);
    const again = await runMain(['targets', 'apply', roundTrip], env());
    expect(again.code, again.stderr).toBe(0);
    const revisionOf = (out: string) => /revision (\S+)/.exec(out)?.[1];
    expect(revisionOf(again.stdout)).toBe(revisionOf(a.stdout));
  });

  it("apply shows the collector's refusal of a wrong token; bad invocations are usage errors", async () => {
    const good = file('good2.json', JSON.stringify([{ name: 'x', host: 'x.fly.dev' }]));
    const wrong = await runMain(['targets', 'apply', good], {
      FLYPROBE_COLLECTOR_URL: c.url,
      FLYPROBE_TOKEN: 'nope',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/collector PUT \/v1\/targets failed: HTTP 401/);
    const noCollector = await runMain(['targets', 'apply', good], {});
    expect(noCollector.code).toBe(2);
    expect((await runMain(['targets'], {})).code).toBe(2);
    expect((await runMain(['targets', 'rm', 'x'], {})).stderr).toContain('unknown sub-command "rm"');
    const missing = await runMain(['targets', 'validate', join(dir, 'nope.toml')], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
    const notJson = await runMain(['targets', 'validate', file('x.json', '{oops')], {});
    expect(notJson.stderr).toMatch(/x\.json is not valid JSON/);
  });
});
