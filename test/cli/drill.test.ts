import { describe, expect, it } from 'vitest';
import { runMain } from './testing/run-main.ts';

describe('flyprobe drill arguments', () => {
  it('names the missing or bad flag before touching any API', async () => {
    const env = {
      FLY_API_TOKEN: 't',
      FLYPROBE_COLLECTOR_URL: 'http://127.0.0.1:9',
      FLY_API_HOSTNAME: 'http://127.0.0.1:9',
    };
    const noApp = await runMain(['drill', '--region', 'nrt'], env);
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toContain('--app is required');
    const badRegion = await runMain(['drill', '--app', 'web', '--region', 'zzz'], env);
    expect(badRegion.stderr).toContain('--region');
    const badTimeout = await runMain(['drill', '--app', 'web', '--region', 'nrt', '--timeout', '1'], env);
    expect(badTimeout.stderr).toContain('--timeout must be an integer from 5 to 3600');
    const noCollector = await runMain(['drill', '--app', 'web', '--region', 'nrt'], { FLY_API_TOKEN: 't' });
    expect(noCollector.stderr).toContain('no collector');
  });

  it('has a --help that says what it stops and what it prints', async () => {
    const help = await runMain(['drill', '--help'], {});
    expect(help.code).toBe(0);
    for (const flag of ['--app', '--region', '--yes', '--force', '--flycast', '--min-run'])
      expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('time to converge away');
  });
});
