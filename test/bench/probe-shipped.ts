/**
 * The probe as the image ships it, for the footprint benchmark: the probe/build.ts bundle run by plain
 * node with the Dockerfile probe stage's ENTRYPOINT flags (read from the Dockerfile, so the bench and the
 * image cannot drift apart), as `flyprobe probe`. Results and missed runs are read from what the probe
 * reports to a loopback IngestReceiver, so nothing runs inside the measured process but the probe.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IngestReceiver } from '../../probe/src/reporter/testing/ingest-receiver.ts';
import { stopChild } from './probe-process.ts';

/** The `FROM ... AS probe` stage of the Dockerfile, up to the next stage. */
function probeStage(): string {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
  const stage = dockerfile.slice(dockerfile.search(/^FROM \S+ AS probe$/m));
  const next = stage.slice(1).search(/^FROM /m);
  return next < 0 ? stage : stage.slice(0, next + 1);
}

/** Node flags of the probe image's ENTRYPOINT. */
export function imageNodeFlags(): string[] {
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(probeStage())?.[1];
  if (!entry) throw new Error('Dockerfile: no ENTRYPOINT in the probe stage');
  const argv = JSON.parse(entry) as string[];
  return argv.filter((a) => a.startsWith('--'));
}

/** The probe stage's own `ENV NAME=value` lines (such as malloc tuning), as the image sets them. */
export function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of probeStage().matchAll(/^ENV (\w+)=(\S+)$/gm)) env[m[1] as string] = m[2] as string;
  return env;
}

export interface ShippedProbe {
  proc: ChildProcess;
  probeId: string;
  /** Results this probe has delivered to the receiver so far. */
  results(): number;
  /** Of those, the ones with outcome `ok` (a flag that breaks a check, such as --jitless, shows here). */
  okResults(): number;
  /** missedRuns of its last heartbeat. */
  missedRuns(): number;
  /** Resolves once the receiver has its first batch with results. */
  started(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `node <flags> <bundle> probe` reporting to `rx` as probe `probeId` (`node`: another copy of this node). */
export function spawnShipped(
  bundle: string,
  flags: string[],
  rx: IngestReceiver,
  probeId: string,
  env: NodeJS.ProcessEnv,
  node: string = process.execPath,
): ShippedProbe {
  const proc = spawn(node, [...flags, bundle, 'probe'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      FLYPROBE_PROBE_ID: probeId,
      FLYPROBE_COLLECTOR_URL: rx.url,
      FLYPROBE_TOKEN: 'bench',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const mine = () => rx.batches.filter((b) => b.probe.probeId === probeId);
  return {
    proc,
    probeId,
    results: () => mine().reduce((n, b) => n + b.results.length, 0),
    okResults: () => mine().reduce((n, b) => n + b.results.filter((r) => r.outcome === 'ok').length, 0),
    missedRuns: () => mine().reduce((n, b) => b.heartbeat?.missedRuns ?? n, 0),
    started: (timeoutMs) =>
      rx.waitFor(() => mine().some((b) => b.results.length > 0), timeoutMs, `${probeId}'s first results`),
    stop: () => stopChild(proc),
  };
}
