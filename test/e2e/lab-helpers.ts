import type { MatrixResponse } from '@flyprobe/shared';
import Database from 'better-sqlite3';
import type { Lab } from '../lab/index.ts';
import { PROBE_METRICS_PORT } from '../lab/index.ts';

/** Collector settings that make a lab run fast: reports every 500 ms, config polled every 2 s. */
export const FAST_COLLECTOR_ENV: Record<string, string> = {
  FLYPROBE_REPORT_INTERVAL_MS: '500',
  FLYPROBE_CONFIG_POLL_MS: '2000',
  FLYPROBE_INGEST_RATE: '200',
  FLYPROBE_INGEST_BURST: '400',
};

export interface BootSeqs {
  probeId: string;
  bootId: string;
  rows: number;
  distinctSeqs: number;
  minSeq: number;
  maxSeq: number;
}

/** Per (probe, boot): stored rows, distinct sequence numbers and their range, read from the collector's SQLite file. */
export function storedSeqs(lab: Lab): BootSeqs[] {
  const db = new Database(lab.dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT b.probe_id AS probeId, b.boot_id AS bootId, count(*) AS rows, count(DISTINCT r.seq) AS distinctSeqs,
                min(r.seq) AS minSeq, max(r.seq) AS maxSeq
           FROM results r JOIN probe_boots b ON b.id = r.boot_key GROUP BY r.boot_key ORDER BY r.boot_key`,
      )
      .all() as BootSeqs[];
  } finally {
    db.close();
  }
}

/**
 * Stored raw results of the lab target against the samples the collector's matrices count (from its
 * rollups): equal when no result was folded in twice or lost between the two.
 */
export async function rollupConsistency(lab: Lab): Promise<{ results: number; matrixSamples: number }> {
  const db = new Database(lab.dbPath, { readonly: true, fileMustExist: true });
  let results: number;
  try {
    results = (db.prepare("SELECT count(*) AS n FROM results WHERE target = 'web'").get() as { n: number }).n;
  } finally {
    db.close();
  }
  let matrixSamples = 0;
  const protocols = lab.targetConfig().protocols ?? ['http', 'tcp', 'grpc'];
  for (const path of lab.targetConfig().paths ?? [])
    for (const protocol of protocols) {
      const m = await lab.api<MatrixResponse>(
        `/v1/matrix?target=web&path=${path}&protocol=${protocol}&window=1h`,
      );
      for (const c of m.cells) matrixSamples += c.samples;
    }
  return { results, matrixSamples };
}

export interface ProbeCounters {
  /** Results the probe produced since boot (all outcomes). */
  produced: number;
  dropped: number;
  buffered: number;
}

/** Scrapes a region probe's Prometheus endpoint (inside its namespace, reached through the lab). */
export async function probeCounters(lab: Lab, region: string): Promise<ProbeCounters> {
  const res = await fetch(`http://[${lab.privateAddress(region)}]:${PROBE_METRICS_PORT}/metrics`);
  const text = await res.text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    produced: sum('flyprobe_probe_results_total'),
    dropped: sum('flyprobe_probe_dropped_total'),
    buffered: sum('flyprobe_probe_buffer_results'),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The acceptance band of the matrix-truth test: max(2 ms, 5%) around the configured value. */
export function tolerance(truthMs: number): number {
  return Math.max(2, 0.05 * truthMs);
}

/**
 * How far above the network truth an application round trip may be: the echo server's and the
 * edge's own processing of a request on a fresh connection (a few ms for Node on a busy 2-core box).
 */
export function applicationAllowance(truthMs: number): number {
  return Math.max(6, 0.1 * truthMs);
}
