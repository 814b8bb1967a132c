/**
 * Delivery of a provider's notification to the merchant's URL, as providers do it: POST the same
 * bytes with the same headers until a 2xx answer or the attempts run out, waiting between tries.
 * Every attempt is recorded, so a test can see retries, and the same body can be sent again on
 * purpose (a duplicate, or a late redelivery after downtime).
 */

export interface DeliverySettings {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Wait between attempts. */
  readonly intervalMs: number;
  /** How long one attempt waits for the answer. */
  readonly timeoutMs: number;
}

export interface Notification {
  readonly url: string;
  /** The exact bytes sent (signatures are computed over them). */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What the notification is about, for the record (e.g. "invoice 7", "transaction <id>"). */
  readonly about: string;
}

export interface DeliveryAttempt {
  readonly about: string;
  readonly attempt: number;
  /** The HTTP status, or undefined when no answer came (refused, timed out). */
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly at: Date;
}

export class CallbackDelivery {
  private readonly attemptLog: DeliveryAttempt[] = [];
  private readonly inFlight = new Set<Promise<boolean>>();
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(private readonly settings: DeliverySettings) {}

  /** Sends in the background; resolves true once a 2xx came, false when the attempts ran out. */
  deliver(notification: Notification): Promise<boolean> {
    const run = this.run(notification).finally(() => { this.inFlight.delete(run); });
    this.inFlight.add(run);
    return run;
  }

  /** Every attempt so far, oldest first. */
  attempts(about?: string): DeliveryAttempt[] {
    return this.attemptLog.filter((attempt) => about === undefined || attempt.about === about);
  }

  /** Resolves once no delivery is in progress. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves at the next attempt recorded (for tests that wait on a retry). */
  nextAttempt(): Promise<void> {
    return new Promise((resolve) => { this.waiters.add(resolve); });
  }

  /** Gives up deliveries still waiting to retry. */
  stop(): void {
    this.stopped = true;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private async run(notification: Notification): Promise<boolean> {
    for (let attempt = 1; attempt <= this.settings.attempts && !this.stopped; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.settings.intervalMs));
      // stop() may have been called while waiting.
      if (this.isStopped()) break;
      const status = await this.post(notification, attempt);
      if (status !== undefined && status >= 200 && status < 300) return true;
    }
    return false;
  }

  private async post(notification: Notification, attempt: number): Promise<number | undefined> {
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(notification.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...notification.headers },
        body: notification.body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (caught) {
      // fetch's errors come from another realm under jest's VM: read them by shape.
      const shape = caught as { name?: string; cause?: { code?: string } };
      error = shape.cause?.code ?? shape.name ?? 'fetch failed';
    }
    this.attemptLog.push({ about: notification.about, attempt, status, error, at: new Date() });
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    return status;
  }
}
