import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { missing, promtool } from '../../collector/src/testing/prometheus-daemons.ts';

const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const skip = missing('promtool');

describe.skipIf(skip !== undefined)(`shipped Prometheus rules${skip ? ` (${skip})` : ''}`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'flyprobe-rules-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('parse with promtool check rules', () => {
    const r = promtool(['check', 'rules', join(DIR, 'flyprobe.rules.yml'), join(DIR, 'flyprobe.alerts.yml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('SUCCESS: 7 rules found');
    expect(r.stdout).toContain('SUCCESS: 10 rules found');
    expect(r.status).toBe(0);
  });

  it('ship an example Prometheus configuration that promtool accepts', () => {
    const r = promtool(['check', 'config', '--syntax-only', join(DIR, 'prometheus.example.yml')]);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('pass their promtool unit tests (input series -> recorded values and alerts)', () => {
    const r = promtool(['test', 'rules', join(DIR, 'tests', 'flyprobe.test.yml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('unit tests that catch a changed threshold (the tests constrain the rules)', () => {
    // The same tests against a copy whose resets rule needs 50% instead of 20%: they must fail.
    const alerts = readFileSync(join(DIR, 'flyprobe.alerts.yml'), 'utf8');
    const weakened = alerts.replace('flyprobe:resets:ratio5m >= 0.2\n', 'flyprobe:resets:ratio5m >= 0.5\n');
    expect(weakened).not.toBe(alerts);
    writeFileSync(join(tmp, 'flyprobe.alerts.yml'), weakened);
    copyFileSync(join(DIR, 'flyprobe.rules.yml'), join(tmp, 'flyprobe.rules.yml'));
    const tests = join(tmp, 'tests');
    mkdirSync(tests);
    copyFileSync(join(DIR, 'tests', 'flyprobe.test.yml'), join(tests, 'flyprobe.test.yml'));
    const r = promtool(['test', 'rules', join(tests, 'flyprobe.test.yml')]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/alertname: FlyprobeResets, time: 11m/);
  });
});
