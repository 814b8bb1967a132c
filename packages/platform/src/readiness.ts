/**
 * What /readyz answers: every registered check passes and the process is not draining.
 * A check is a named function (NATS connected, database reachable, consumers bound); one that
 * throws or takes longer than its timeout counts as failing, so a hung dependency reads 503.
 */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
  /** Why a held check fails (`hold`), e.g. `starting: waiting for NATS: connection refused`; present only when one is held. */
  readonly reasons?: Readonly<Record<string, string>>;
}

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly held = new Map<string, string>();
  private drainingNow = false;

  constructor(private readonly checkTimeoutMs = 2_000) {}

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /**
   * A check named `name` fails with `reason` until `release(name)`: a process still starting says
   * what it waits for (callers keep secrets out of the reason; /readyz shows it to anyone).
   */
  hold(name: string, reason: string): void {
    this.held.set(name, reason);
  }

  release(name: string): void {
    this.held.delete(name);
  }

  /** From now on /readyz answers 503: the process is shutting down. */
  startDraining(): void {
    this.drainingNow = true;
  }

  get draining(): boolean {
    return this.drainingNow;
  }

  async report(): Promise<ReadinessReport> {
    const run = await Promise.all([...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const));
    const entries = [...run, ...[...this.held.keys()].map((name) => [name, false] as const)];
    const checks = Object.fromEntries(entries);
    const report = { ready: !this.drainingNow && entries.every(([, ok]) => ok), draining: this.drainingNow, checks };
    return this.held.size === 0 ? report : { ...report, reasons: Object.fromEntries(this.held) };
  }

  private async run(check: ReadinessCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(false); }, this.checkTimeoutMs); });
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
