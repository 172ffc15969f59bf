/**
 * The collector as the image ships it, for the ingest benchmark: collector/build.ts's bundle run by plain node
 * with the node flags of the Dockerfile collector stage's CMD and that stage's ENV lines (read from the
 * Dockerfile, so the bench and the image cannot drift apart), as `flyprobe collector`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Where the Dockerfile puts collector/build.ts's default output, and what the CMD must run. */
const IMAGE_BUNDLE = '/app/collector/dist/bin/flyprobe.mjs';

/** The `FROM ... AS <name>` stage of the Dockerfile, up to the next stage. */
function readDockerfile(): string {
  return readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
}

export function dockerfileStage(name: string): string {
  const dockerfile = readDockerfile();
  const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
  if (start < 0) throw new Error(`Dockerfile: no ${name} stage`);
  const stage = dockerfile.slice(start);
  const next = stage.slice(1).search(/^FROM /m);
  return next < 0 ? stage : stage.slice(0, next + 1);
}

/** The collector stage's node flags and environment (its ENV lines and its base's); throws unless its CMD runs the bundle. */
export function collectorImage(): { flags: string[]; env: Record<string, string> } {
  const stage = dockerfileStage('collector');
  const cmd = /^CMD (\[.*\])$/m.exec(stage)?.[1];
  if (!cmd) throw new Error('Dockerfile: no CMD in the collector stage');
  const script = (JSON.parse(cmd) as string[]).join(' ');
  const run = /\bnode((?:\s+--\S+)*)\s+(\S+)\s+collector\b/.exec(script);
  if (!run) throw new Error(`Dockerfile collector CMD: no "node [flags] <bundle> collector" in ${script}`);
  if (run[2] !== IMAGE_BUNDLE)
    throw new Error(`Dockerfile collector CMD runs ${run[2]}, not ${IMAGE_BUNDLE}`);
  return { flags: (run[1] ?? '').trim().split(/\s+/).filter(Boolean), env: stageEnv('collector') };
}

/** `ENV NAME=value` lines of a stage and of the stages it is built FROM (NODE_ENV comes from runtime). */
function stageEnv(name: string): Record<string, string> {
  const stage = dockerfileStage(name);
  const base = /^FROM (\S+) AS/.exec(stage)?.[1];
  const env = base && new RegExp(`^FROM \\S+ AS ${base}$`, 'm').test(readDockerfile()) ? stageEnv(base) : {};
  for (const m of stage.matchAll(/^ENV (\w+)=(\S+)$/gm)) env[m[1] as string] = m[2] as string;
  return env;
}

export interface ShippedCollector {
  child: ChildProcess;
  /** http://host:port it listens on, from its `listening on` line. */
  url: string;
  /** Lines it wrote to stdout (JSON logs), for a failure message. */
  output: string[];
}

/**
 * Starts `node <image flags> <extraFlags> <bundle> collector` with the image's ENV over `env`, and resolves once
 * it says where it listens (FLYPROBE_HOST/FLYPROBE_PORT in `env` choose it); rejects if it exits first.
 */
export async function spawnShippedCollector(
  bundle: string,
  extraFlags: string[],
  env: NodeJS.ProcessEnv,
): Promise<ShippedCollector> {
  const image = collectorImage();
  const child = spawn(process.execPath, [...image.flags, ...extraFlags, bundle, 'collector'], {
    env: { PATH: process.env.PATH, ...env, ...image.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const errLines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  errLines.on('line', (line) => output.push(line));
  const listening = new Promise<string>((resolve) => {
    lines.on('line', (line) => {
      output.push(line);
      const m = /^flyprobe collector: listening on (\S+)$/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
  });
  const url = await Promise.race([
    listening,
    once(child, 'exit').then(([code]) => {
      throw new Error(`collector exited (${code}) before it listened:\n${output.join('\n')}`);
    }),
  ]);
  return { child, url, output };
}
