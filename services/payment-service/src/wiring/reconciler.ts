/**
 * Runs the domain's reconcilePending every interval: passes never overlap, a provider that
 * cannot be asked is logged once per outage and asked again next time. Every replica may run it:
 * applying a report is idempotent (activation exactly once), so two replicas asking about the
 * same invoice cost one extra provider call, not a second activation.
 */
import type { Logger } from '@nova/platform';
import { reconcilePending, type ProviderName, type ReconcileDeps, type ReconcileSummary } from '../domain/index.js';

export interface ReconcilerOptions {
  readonly deps: ReconcileDeps;
  readonly intervalMs: number;
  readonly minAgeMs?: number;
  readonly logger: Logger;
}

export class PaymentReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileSummary | undefined> | undefined;
  private readonly failing = new Set<ProviderName>();
  private readonly abort = new AbortController();

  constructor(private readonly options: ReconcilerOptions) {}

  start(): void {
    if (this.timer !== undefined || this.abort.signal.aborted) return;
    this.timer = setInterval(() => { void this.runOnce(); }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One pass (joins the one in progress); undefined when the pass itself failed (the database). */
  runOnce(): Promise<ReconcileSummary | undefined> {
    this.running ??= reconcilePending(this.options.deps, { ...(this.options.minAgeMs === undefined ? {} : { minAgeMs: this.options.minAgeMs }), signal: this.abort.signal })
      .then((summary) => {
        this.report(summary);
        return summary;
      }, (error: unknown) => {
        this.options.logger.warn({ err: error }, 'payment reconciliation failed; retried next interval');
        return undefined;
      })
      .finally(() => { this.running = undefined; });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort(new Error('stopping'));
    await this.running;
  }

  private report(summary: ReconcileSummary): void {
    const down = new Set(summary.failed.map((failure) => failure.provider));
    for (const failure of summary.failed) {
      if (!this.failing.has(failure.provider)) this.options.logger.warn({ provider: failure.provider, err: failure.error }, 'payment reconciliation could not ask the provider; retried next interval');
    }
    for (const provider of this.failing) if (!down.has(provider)) this.options.logger.info({ provider }, 'payment reconciliation reaches the provider again');
    this.failing.clear();
    for (const provider of down) this.failing.add(provider);
    const applied = summary.results.filter((result) => result.kind !== 'unchanged');
    if (applied.length > 0) this.options.logger.info({ asked: summary.asked, applied: applied.map((result) => result.kind) }, 'payment reconciliation applied what callbacks missed');
  }
}
