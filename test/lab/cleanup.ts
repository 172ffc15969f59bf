import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deleteNetns, listNetns } from './netns.ts';
import { LAB_NAME_PATTERN } from './plan.ts';

/** Every lab keeps its files under here, in a folder named by its run id with the owner's pid inside. */
export const LAB_ROOT = '/tmp/flyprobe-lab';

export function runDir(runId: string): string {
  return join(LAB_ROOT, runId);
}

function ownerAlive(runId: string): boolean {
  try {
    const pid = Number(readFileSync(join(runDir(runId), 'owner.pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what crashed earlier runs left: namespaces named `fp<run>-...` whose owner process is gone
 * (with every process still inside them; nft tables and TUN devices go with the namespace).
 * Safe to call any number of times; labs of live processes are left alone. Returns the namespaces removed.
 */
export async function sweepStaleLabs(): Promise<string[]> {
  const removed: string[] = [];
  const stale = new Set<string>();
  for (const ns of await listNetns()) {
    const m = LAB_NAME_PATTERN.exec(ns);
    if (!m?.[1] || ownerAlive(m[1])) continue;
    stale.add(m[1]);
    await deleteNetns(ns);
    removed.push(ns);
  }
  for (const runId of stale) rmSync(runDir(runId), { recursive: true, force: true });
  return removed;
}

/**
 * Last-resort cleanup from a process `exit` handler, where nothing async runs: kills the given pids and
 * deletes the namespaces synchronously. Idempotent.
 */
export function cleanupSync(pids: number[], namespaces: string[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const ns of namespaces) {
    try {
      const out = execFileSync('ip', ['netns', 'pids', ns], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      for (const pid of out.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already deleted
    }
  }
}
