import type { NetworkPath, Protocol, RegionCode } from '@flyprobe/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Why an ingest request or result was refused; a closed set so the label stays bounded. */
export type RejectReason =
  | 'unauthorized'
  | 'forbidden'
  | 'probe_mismatch'
  | 'rate_limited'
  | 'body_too_large'
  | 'invalid_json'
  | 'invalid_batch'
  | 'invalid_result'
  | 'future_timestamp'
  | 'shutting_down';

export interface LatencyKey {
  probeRegion: RegionCode;
  target: string;
  path: NetworkPath;
  protocol: Protocol;
}

const QUANTILES = [0.5, 0.95, 0.99] as const;
/** Samples kept per latency series; quantiles are over the most recent ones. */
const RING_SIZE = 512;
/** A series nobody reported into for this long disappears from /metrics. */
const SERIES_IDLE_MS = 15 * 60_000;

interface Ring {
  labels: Record<'probe_region' | 'target' | 'path' | 'protocol', string>;
  values: Float64Array;
  size: number;
  next: number;
  updatedAt: number;
}

/** Recent latency quantiles per (probe region, target, path, protocol), never more than `maxSeries` keys. */
class LatencyWindows {
  private readonly rings = new Map<string, Ring>();
  constructor(
    private readonly maxSeries: number,
    private readonly onOverflow: () => void,
  ) {}

  add(key: LatencyKey, latencyMs: number, now: number): void {
    const id = `${key.probeRegion}\u0000${key.target}\u0000${key.path}\u0000${key.protocol}`;
    let ring = this.rings.get(id);
    if (!ring) {
      if (this.rings.size >= this.maxSeries) this.evictIdle(now);
      if (this.rings.size >= this.maxSeries) {
        this.onOverflow();
        return;
      }
      ring = {
        labels: { probe_region: key.probeRegion, target: key.target, path: key.path, protocol: key.protocol },
        values: new Float64Array(RING_SIZE),
        size: 0,
        next: 0,
        updatedAt: now,
      };
      this.rings.set(id, ring);
    }
    ring.values[ring.next] = latencyMs;
    ring.next = (ring.next + 1) % RING_SIZE;
    ring.size = Math.min(ring.size + 1, RING_SIZE);
    ring.updatedAt = now;
  }

  get seriesCount(): number {
    return this.rings.size;
  }

  evictIdle(now: number): void {
    for (const [id, ring] of this.rings) if (now - ring.updatedAt > SERIES_IDLE_MS) this.rings.delete(id);
  }

  /** Writes current quantiles into the gauge (called at scrape time). */
  fill(gauge: Gauge<'probe_region' | 'target' | 'path' | 'protocol' | 'percentile'>, now: number): void {
    gauge.reset();
    this.evictIdle(now);
    for (const ring of this.rings.values()) {
      const sorted = ring.values.slice(0, ring.size).sort();
      for (const q of QUANTILES) {
        const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        gauge.set({ ...ring.labels, percentile: String(Math.round(q * 100)) }, (sorted[idx] ?? 0) / 1000);
      }
    }
  }
}

/** The collector's Prometheus registry: one per running collector, so tests can run several. */
export class CollectorMetrics {
  readonly registry = new Registry();
  readonly ingestResults: Counter<'outcome'>;
  readonly measurements: Counter<'outcome'>;
  readonly ingestBatches: Counter<'status'>;
  readonly ingestRejects: Counter<'reason'>;
  readonly batchSize: Histogram;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly inFlight: Gauge;
  readonly listenerErrors: Counter<'plugin'>;
  readonly retentionPruned: Counter<'kind'>;
  readonly retentionErrors: Counter;
  readonly latencySeriesDropped: Counter;
  readonly meshPeersOmitted: Gauge;
  private readonly latency: LatencyWindows;

  constructor(opts: { maxLatencySeries: number; now?: () => number }) {
    const registers = [this.registry];
    const now = opts.now ?? Date.now;
    collectDefaultMetrics({ register: this.registry });
    // Gauges that prom-client names `_total`, which Prometheus reserves for counters (promtool refuses them).
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(name);
    }
    this.ingestResults = new Counter({
      name: 'flyprobe_collector_ingest_results_total',
      help: 'Results received on POST /v1/ingest by what happened to them (accepted, duplicate, rejected).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['accepted', 'duplicate', 'rejected']) this.ingestResults.inc({ outcome }, 0);
    this.measurements = new Counter({
      name: 'flyprobe_collector_measurements_total',
      help: 'Accepted results by measurement outcome (ok, reset, timeout, ...).',
      labelNames: ['outcome'],
      registers,
    });
    this.ingestBatches = new Counter({
      name: 'flyprobe_collector_ingest_batches_total',
      help: 'Ingest requests by status: stored (2xx) or refused (4xx).',
      labelNames: ['status'],
      registers,
    });
    this.ingestRejects = new Counter({
      name: 'flyprobe_collector_ingest_rejects_total',
      help: 'Refused ingest requests and rejected results by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'flyprobe_collector_ingest_batch_results',
      help: 'Results per ingest batch.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'flyprobe_collector_http_request_duration_seconds',
      help: 'HTTP request duration by method, matched route and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'flyprobe_collector_http_requests_in_flight',
      help: 'HTTP requests being handled now.',
      registers,
    });
    this.listenerErrors = new Counter({
      name: 'flyprobe_collector_ingest_listener_errors_total',
      help: 'Ingest listeners (detectors) that threw, by plugin.',
      labelNames: ['plugin'],
      registers,
    });
    this.retentionPruned = new Counter({
      name: 'flyprobe_collector_retention_pruned_rows_total',
      help: 'Rows deleted by retention, raw results or rollups.',
      labelNames: ['kind'],
      registers,
    });
    this.retentionErrors = new Counter({
      name: 'flyprobe_collector_retention_errors_total',
      help: 'Retention runs that failed.',
      registers,
    });
    this.latencySeriesDropped = new Counter({
      name: 'flyprobe_collector_latency_series_dropped_total',
      help: 'Latency samples not tracked because the latency gauge reached its series cap.',
      registers,
    });
    this.meshPeersOmitted = new Gauge({
      name: 'flyprobe_collector_mesh_peers_omitted',
      help: 'Live mesh peers left out of the last config document served (it lists the freshest 200).',
      registers,
    });
    this.latency = new LatencyWindows(opts.maxLatencySeries, () => this.latencySeriesDropped.inc());
    const latency = this.latency;
    new Gauge({
      name: 'flyprobe_collector_latency_seconds',
      help: `Latency percentiles (50, 95, 99) over the last ${RING_SIZE} ok results per probe region, target, path and protocol.`,
      labelNames: ['probe_region', 'target', 'path', 'protocol', 'percentile'],
      registers,
      collect() {
        latency.fill(this, now());
      },
    });
    new Gauge({
      name: 'flyprobe_collector_latency_series',
      help: 'Series currently tracked by flyprobe_collector_latency_seconds (before the percentile label).',
      registers,
      collect() {
        this.set(latency.seriesCount);
      },
    });
  }

  observeLatency(key: LatencyKey, latencyMs: number, now: number): void {
    this.latency.add(key, latencyMs, now);
  }
}
