import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { CellMetrics, type CellOptions } from './metrics/cells.ts';
import type { StoredResult } from './store/store.ts';

/** A cell without results for this long is forgotten: a removed target's series end within the hour. */
const CELL_IDLE_MS = 60 * 60_000;

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
  readonly meshPeersOmitted: Gauge;
  private readonly cells: CellMetrics;
  private readonly now: () => number;

  constructor(opts: Omit<CellOptions, 'idleMs'> & { now?: () => number }) {
    const registers = [this.registry];
    this.now = opts.now ?? Date.now;
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
    this.meshPeersOmitted = new Gauge({
      name: 'flyprobe_collector_mesh_peers_omitted',
      help: 'Live mesh peers left out of the last config document served (it lists the freshest 200).',
      registers,
    });
    this.cells = new CellMetrics({ maxCells: opts.maxCells, phases: opts.phases, idleMs: CELL_IDLE_MS });
    const cells = this.cells;
    new Gauge({
      name: 'flyprobe_collector_cells',
      help: 'Matrix cells with per-cell series (flyprobe_results_total, flyprobe_latency_seconds, ...).',
      registers,
      collect() {
        this.set(cells.size);
      },
    });
    new Gauge({
      name: 'flyprobe_collector_cells_limit',
      help: 'Most cells tracked at once (FLYPROBE_METRICS_MAX_CELLS).',
      registers,
      collect() {
        this.set(cells.limit);
      },
    });
    new Counter({
      name: 'flyprobe_collector_cell_results_dropped_total',
      help: 'Stored results left out of the per-cell series because the cell limit was reached.',
      registers,
      collect() {
        this.reset();
        this.inc(cells.droppedResults);
      },
    });
  }

  /** Feeds one stored result into the per-cell series (hot path: no allocation for a known cell). */
  observeResult(r: StoredResult, now: number): void {
    this.cells.observe(r, now);
  }

  /** The whole `/metrics` text: prom-client families, then the per-cell families. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + this.cells.render(this.now());
  }
}
