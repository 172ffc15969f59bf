import { describe, expect, it } from 'vitest';
import { runCli } from './testing/run-cli.ts';

describe('the flyprobe binary', { timeout: 60_000 }, () => {
  it('starts through its launcher and prints help', async () => {
    const [top, deploy] = await Promise.all([runCli(['--help']), runCli(['deploy', '--help'])]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: flyprobe <command> \[options\]/);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/^Usage: flyprobe deploy --app APP --regions/);
  });
});
