/**
 * Publishes a context's outbox (events committed with their state change) every interval, so an
 * event whose publish failed after its commit goes out once the bus is back, even if nothing else
 * happens in the context. Flushes never overlap; a failure is logged and retried next time.
 */
import type { Logger } from '@nova/platform';

export interface OutboxRelayOptions {
  /** The context, for log lines. */
  readonly name: string;
  /** One flush: publishes what is pending and answers how many events went out. */
  readonly flush: () => Promise<number>;
  readonly intervalMs: number;
  readonly logger: Logger;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private failing = false;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  /** Flushes now, then every interval. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    void this.flushNow();
    this.timer = setInterval(() => { void this.flushNow(); }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One flush (joins the one in progress); resolves with the count, 0 after a failure. */
  flushNow(): Promise<number> {
    this.running ??= this.options.flush().then(
      (published) => {
        if (this.failing) this.options.logger.info({ outbox: this.options.name }, 'outbox relay recovered');
        this.failing = false;
        if (published > 0) this.options.logger.debug({ outbox: this.options.name, published }, 'outbox events published');
        return published;
      },
      (error: unknown) => {
        // One warning per outage, not one per interval.
        if (!this.failing) this.options.logger.warn({ outbox: this.options.name, err: error }, 'outbox relay failed; events stay pending and are retried');
        this.failing = true;
        return 0;
      },
    ).finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Stops the timer and makes a last flush, so committed events leave before the bus closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.flushNow();
  }
}
