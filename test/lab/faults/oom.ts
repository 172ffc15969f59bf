import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pythonCommand } from '../capability.ts';
import { LAB_ROOT } from '../cleanup.ts';

/** A memory cgroup (v2, or v1's memory controller) for a lab process: the OOM-kill fault. */
export interface MemoryCgroup {
  dir: string;
  version: 1 | 2;
  add(pid: number): void;
  /** Bytes charged now. */
  usage(): number;
  /** Sets the limit (and forbids swap, so the limit means an OOM kill rather than swapping). */
  limit(bytes: number): void;
  oomKills(): number;
  remove(): void;
}

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';

function v2Memory(): boolean {
  try {
    return readFileSync(join(V2_ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');
  } catch {
    return false;
  }
}

/** Why memory cgroups cannot be made here, or undefined when they can. */
export function memoryCgroupProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'memory cgroups need root';
  if (v2Memory() || existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) return undefined;
  return 'no writable cgroup memory controller (neither v2 with memory nor v1 memory)';
}

const keyValue = (text: string, key: string) =>
  Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

/**
 * `ip netns exec` remounts /sys, hiding /sys/fs/cgroup from lab processes; the hierarchy is mounted a second
 * time under the lab root, where a process in a region namespace can read its counters.
 */
export function createMemoryCgroup(name: string): MemoryCgroup {
  const v2 = v2Memory();
  if (v2) {
    const control = join(V2_ROOT, 'cgroup.subtree_control');
    if (!readFileSync(control, 'utf8').includes('memory')) writeFileSync(control, '+memory');
  }
  const mountPoint = join(LAB_ROOT, `cgroup-${name}`);
  mkdirSync(mountPoint, { recursive: true });
  execFileSync(
    'mount',
    v2 ? ['-t', 'cgroup2', 'cgroup2', mountPoint] : ['-t', 'cgroup', '-o', 'memory', 'cgroup', mountPoint],
  );
  const dir = join(mountPoint, name);
  mkdirSync(dir);
  const write = (file: string, value: string) => writeFileSync(join(dir, file), value);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    version: v2 ? 2 : 1,
    add: (pid) => write('cgroup.procs', String(pid)),
    usage: () => Number(read(v2 ? 'memory.current' : 'memory.usage_in_bytes').trim()),
    limit(bytes) {
      if (v2) {
        write('memory.max', String(bytes));
        if (existsSync(join(dir, 'memory.swap.max'))) write('memory.swap.max', '0');
        return;
      }
      // v1 keeps memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every step.
      const memsw = existsSync(join(dir, 'memory.memsw.limit_in_bytes'));
      const raising = bytes > Number(read('memory.limit_in_bytes').trim());
      if (memsw && raising) write('memory.memsw.limit_in_bytes', String(bytes));
      write('memory.limit_in_bytes', String(bytes));
      if (memsw && !raising) write('memory.memsw.limit_in_bytes', String(bytes));
    },
    oomKills: () =>
      v2 ? keyValue(read('memory.events'), 'oom_kill') : keyValue(read('memory.oom_control'), 'oom_kill'),
    remove() {
      for (let i = 0; i < 50 && existsSync(dir); i++) {
        try {
          rmdirSync(dir);
        } catch {
          // still has processes: they are being killed
        }
      }
      execFileSync('umount', [mountPoint]);
      rmdirSync(mountPoint);
    },
  };
}

// Joins the cgroup, makes itself unkillable by the OOM killer, holds `bytes` of touched memory, and says so.
const HOG = `
import sys, time
open('/proc/self/oom_score_adj', 'w').write('-1000')
open(sys.argv[1], 'w').write(str(__import__('os').getpid()))
block = bytearray(int(sys.argv[2]))
for i in range(0, len(block), 4096): block[i] = 1
print('holding', flush=True)
time.sleep(600)
`;

/**
 * A process in `cg` holding `bytes`, which the OOM killer never picks: once the limit is set just above the
 * cgroup's usage, the next allocation of the other process in it (the target) gets that process killed.
 */
export async function startHog(cg: MemoryCgroup, bytes: number): Promise<ChildProcess> {
  const child = spawn(pythonCommand(), ['-c', HOG, join(cg.dir, 'cgroup.procs'), String(bytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`memory hog exited (${code}) before holding its memory`)));
  });
  return child;
}
