import { describe, expect, it } from 'vitest';
import { alertsCommand } from '../../cli/src/commands/alerts.ts';
import { RULES } from '../../collector/src/detect/detectors.ts';
import { runCli } from './testing/run-cli.ts';

describe('the flyprobe binary', { timeout: 60_000 }, () => {
  it('starts through its launcher and prints help', async () => {
    const [top, deploy] = await Promise.all([runCli(['--help']), runCli(['deploy', '--help'])]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: flyprobe <command> \[options\]/);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/^Usage: flyprobe deploy --app APP --regions/);
  });

  it("names every detector rule in the alerts command's --rule help", () => {
    const ruleHelp = /--rule R\s+only this rule \(([^)]*)\)/.exec(alertsCommand.help)?.[1] ?? '';
    expect(ruleHelp.split(/,\s*/).sort()).toEqual([...RULES].sort());
  });
});
