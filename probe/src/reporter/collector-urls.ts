import type { Logger } from '@flyprobe/shared';
import type { CollectorSettings } from '../config/settings.ts';

/** After failing over, the first (preferred) collector is tried again this long after it last failed. */
export const RETURN_AFTER_MS = 30_000;

/**
 * The ordered collector URLs of a probe (FLYPROBE_COLLECTOR_URL as a comma-separated list) and which one is
 * in use. A request goes to the active collector; when it fails (network error, timeout, 5xx, 429) the next
 * one is tried at once. The first collector is preferred: once `returnAfterMs` has passed since it failed it
 * is tried first again, so probes come back to it when it recovers. Collectors share one database, which
 * deduplicates by (probe id, boot id, seq), so resending a batch elsewhere never stores it twice.
 */
export class CollectorUrls {
  private active = 0;
  private primaryFailedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly urls: readonly string[],
    private readonly options: { returnAfterMs?: number; now?: () => number; log?: Logger | undefined } = {},
  ) {
    if (urls.length === 0) throw new Error('CollectorUrls: at least one URL');
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  static of(
    collector: CollectorSettings,
    options: { returnAfterMs?: number; log?: Logger | undefined } = {},
  ): CollectorUrls {
    return new CollectorUrls([collector.url, ...(collector.fallbackUrls ?? [])], options);
  }

  /** The collector requests go to now. */
  get current(): string {
    return this.urls[this.active] as string;
  }

  /** URLs to try for one request, in order (each at most once). */
  attempts(): string[] {
    const now = this.now();
    const first =
      this.active !== 0 && now - this.primaryFailedAt >= (this.options.returnAfterMs ?? RETURN_AFTER_MS)
        ? 0
        : this.active;
    return [...this.urls.slice(first), ...this.urls.slice(0, first)];
  }

  succeeded(url: string): void {
    const i = this.urls.indexOf(url);
    if (i < 0 || i === this.active) return;
    this.options.log?.('warn', `collector ${i === 0 ? 'back to' : 'failed over to'} ${url}`);
    this.active = i;
  }

  failed(url: string): void {
    if (url === this.urls[0]) this.primaryFailedAt = this.now();
  }
}
