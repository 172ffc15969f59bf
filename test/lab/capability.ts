import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';

/** When not ok, `reason` names everything missing and how to get it, in one sentence. */
export type LabCapability = { ok: true } | { ok: false; reason: string };

/** The commands the namespace lab runs, and the Debian 12 package of each (also in .ci/run). */
export const LAB_TOOLS: readonly { command: string; args: readonly string[]; pkg: string }[] = [
  { command: 'ip', args: ['-V'], pkg: 'iproute2' },
  { command: 'nft', args: ['--version'], pkg: 'nftables' },
  { command: 'python3', args: ['--version'], pkg: 'python3' },
  { command: 'flock', args: ['--version'], pkg: 'util-linux' },
  { command: 'chrt', args: ['--version'], pkg: 'util-linux' },
];

function runs(command: string, args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync(command === 'python3' ? pythonCommand() : command, [...args], {
      stdio: 'ignore',
      timeout: 30_000,
      env,
    });
    return true;
  } catch {
    return false;
  }
}

/** The lab's tools that do not run here, with the apt command that installs them; undefined when none. */
export function missingLabTools(
  env: NodeJS.ProcessEnv = process.env,
): { commands: string[]; install: string } | undefined {
  const missing = LAB_TOOLS.filter((t) => !runs(t.command, t.args, env));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((t) => t.pkg))];
  return {
    commands: missing.map((t) => t.command),
    install: `apt-get install --no-install-recommends ${packages.join(' ')}`,
  };
}

/** Whether this process can build a namespace lab; the reason says what is missing and how to get it. */
export function labCapability(env: NodeJS.ProcessEnv = process.env): LabCapability {
  if (process.platform !== 'linux')
    return { ok: false, reason: `the network lab needs Linux (this is ${process.platform})` };
  const problems: string[] = [];
  if (process.getuid?.() !== 0)
    problems.push('it needs root (network namespaces, TUN devices, nftables); this process is not root');
  else {
    try {
      accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    } catch {
      problems.push('/dev/net/tun is missing or not read-writable (a container needs --device /dev/net/tun)');
    }
  }
  const tools = missingLabTools(env);
  if (tools)
    problems.push(
      `${tools.commands.map((c) => `"${c}"`).join(', ')} not found on PATH (to install: ${tools.install})`,
    );
  return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join('; ') };
}

/** The system python3 when present: version-manager shims on PATH are slow to start on a busy machine. */
export function pythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}
