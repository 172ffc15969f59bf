import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatFieldErrors,
  type Logger,
  type LogLevel,
  type ProbeConfig,
  parseWith,
  probeConfig,
} from '@flyprobe/shared';
import { CollectorAgents, collectorRequest } from '../reporter/collector-http.ts';
import { CollectorUrls } from '../reporter/collector-urls.ts';
import type { CollectorSettings } from './settings.ts';

export type PollResult = 'applied' | 'unchanged' | 'invalid' | 'error';

export interface RemoteConfigOptions {
  collector: CollectorSettings;
  /** Called with each new valid config. */
  apply(config: ProbeConfig): void;
  /** How long to wait between polls (read live: the config itself sets it). */
  pollMs(): number;
  /** Where the last good config is kept so a restart during a collector outage keeps probing. */
  cacheDir?: string;
  timeoutMs?: number;
  onPoll?(result: PollResult): void;
  log?: Logger;
}

const CACHE_FILE = 'remote-config.json';

/**
 * Pulls `GET /v1/config` with If-None-Match. 304 = unchanged; a document that fails the shared
 * `probeConfig` schema is refused (the last good config stays) and counted, once per ETag.
 */
export class RemoteConfig {
  private etag: string | undefined;
  private current: ProbeConfig | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<PollResult> | undefined;

  private readonly urls: CollectorUrls;
  private readonly agents = new CollectorAgents();

  constructor(private readonly opts: RemoteConfigOptions) {
    this.urls = CollectorUrls.of(opts.collector, { log: opts.log });
  }

  get config(): ProbeConfig | undefined {
    return this.current;
  }

  /** Loads the config cached by a previous run, if any; it applies until the collector answers. */
  async loadCached(): Promise<ProbeConfig | undefined> {
    if (!this.opts.cacheDir) return undefined;
    try {
      const text = await readFile(join(this.opts.cacheDir, CACHE_FILE), 'utf8');
      const parsed = parseWith(probeConfig, JSON.parse(text));
      if (parsed.ok) this.current = parsed.value;
      return this.current;
    } catch {
      return undefined;
    }
  }

  pollOnce(): Promise<PollResult> {
    this.polling ??= this.fetch().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  start(): void {
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.pollOnce().finally(schedule);
      }, this.opts.pollMs());
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.agents.close();
  }

  private async fetch(): Promise<PollResult> {
    const result = await this.fetchOnce();
    this.opts.onPoll?.(result);
    return result;
  }

  /** Tries the collectors in failover order; a network error or 5xx moves on to the next one. */
  private async fetchOnce(): Promise<PollResult> {
    let result: PollResult = 'error';
    for (const url of this.urls.attempts()) {
      result = await this.fetchFrom(url);
      if (result !== 'error') {
        this.urls.succeeded(url);
        return result;
      }
      this.urls.failed(url);
    }
    return result;
  }

  private async fetchFrom(url: string): Promise<PollResult> {
    const { token } = this.opts.collector;
    let status: number;
    let body: string;
    let etag: string | undefined;
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      };
      if (this.etag) headers['if-none-match'] = this.etag;
      const res = await collectorRequest(this.agents, `${url}/v1/config`, {
        headers,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
        maxBody: Number.POSITIVE_INFINITY,
      });
      status = res.status;
      body = res.body;
      etag = res.headers.etag;
    } catch (err) {
      this.log('warn', `config poll failed: ${(err as Error).message}`);
      return 'error';
    }
    if (status === 304) return 'unchanged';
    if (status !== 200) {
      this.log('warn', `config poll: HTTP ${status}: ${body.slice(0, 200)}`);
      return 'error';
    }
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      this.etag = etag;
      this.log('warn', 'remote config refused: body is not JSON');
      return 'invalid';
    }
    const parsed = parseWith(probeConfig, doc);
    // Remember the ETag even for a refused document: the same document is not re-judged every poll.
    this.etag = etag;
    if (!parsed.ok) {
      this.log(
        'warn',
        `remote config refused (keeping the last good one): ${formatFieldErrors(parsed.errors)}`,
      );
      return 'invalid';
    }
    this.current = parsed.value;
    this.opts.apply(parsed.value);
    await this.cache(parsed.value);
    return 'applied';
  }

  private async cache(config: ProbeConfig): Promise<void> {
    if (!this.opts.cacheDir) return;
    const path = join(this.opts.cacheDir, CACHE_FILE);
    try {
      await writeFile(`${path}.tmp`, JSON.stringify(config));
      await rename(`${path}.tmp`, path);
    } catch (err) {
      this.log('warn', `cannot cache remote config: ${(err as Error).message}`);
    }
  }

  private log(level: LogLevel, message: string): void {
    this.opts.log?.(level, message);
  }
}

/**
 * The config the probe runs: the collector's when there is one, plus the local file's static targets
 * whose names the collector does not use.
 */
export function effectiveConfig(local: ProbeConfig, remote: ProbeConfig | undefined): ProbeConfig {
  if (!remote) return local;
  const names = new Set(remote.targets.map((t) => t.name));
  return { ...remote, targets: [...remote.targets, ...local.targets.filter((t) => !names.has(t.name))] };
}
