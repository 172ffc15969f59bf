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

/** Stored raw results against the samples counted in the per-minute rollups (equal when nothing was folded twice). */
export function rollupConsistency(lab: Lab): { results: number; rollupSamples: number } {
  const db = new Database(lab.dbPath, { readonly: true, fileMustExist: true });
  try {
    const results = (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
    const rollupSamples = (
      db.prepare('SELECT coalesce(sum(samples), 0) AS n FROM rollup_minute').get() as { n: number }
    ).n;
    return { results, rollupSamples };
  } finally {
    db.close();
  }
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
