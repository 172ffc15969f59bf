import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a command, failing with its stderr in the message. */
export async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  try {
    if (input === undefined) return (await run(cmd, args, { timeout: 15_000 })).stdout;
    return await new Promise<string>((resolve, reject) => {
      const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) =>
        err ? reject(Object.assign(err, { stderr })) : resolve(stdout),
      );
      child.stdin?.end(input);
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** `ip -batch` inside a namespace (or the root one for null): one process for many changes. */
export function ipBatch(netns: string | null, lines: string[]): Promise<string> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  return sh('ip', args, `${lines.join('\n')}\n`);
}

export async function listNetns(): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

export async function netnsPids(netns: string): Promise<number[]> {
  try {
    const out = await sh('ip', ['netns', 'pids', netns]);
    return out.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills every process left in the namespace, then deletes it; absent namespaces are fine. */
export async function deleteNetns(netns: string): Promise<void> {
  for (const pid of await netnsPids(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    await sh('ip', ['netns', 'del', netns]);
  } catch (err) {
    if (!/No such file|Invalid netns|does not exist/i.test((err as Error).message)) throw err;
  }
}

/** Applies an nftables script inside a namespace. */
export function nft(netns: string, script: string): Promise<string> {
  return sh('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], script);
}
