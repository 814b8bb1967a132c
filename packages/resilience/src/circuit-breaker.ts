/**
 * A circuit breaker per callee (the seed names it as a principle and never builds it).
 *
 * closed     calls go through; failures are counted over a rolling window of the last calls.
 *            When `failureThreshold` of the last `windowSize` calls failed, it opens.
 * open       calls fail at once with CircuitOpenError, without touching the callee, for
 *            `openMs`; then it turns half-open.
 * half-open  up to `halfOpenProbes` calls at a time go through as probes; `successesToClose`
 *            successes in a row close it, any failure opens it again for another `openMs`.
 *            Calls made while the probes are out wait for one to end, then go on by its
 *            outcome: a callee that has recovered is not failed for the calls that happened to
 *            arrive while it was being probed (a bus migration's analysis counts those), and
 *            one that has not still gets only the probes.
 *
 * Only failures the caller classifies as the callee's (`isFailure`) count: a 400 for a bad
 * request says nothing about the callee's health and must not open the circuit.
 */
import { CircuitOpenError } from './errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures among the last `windowSize` calls that open the circuit. */
  readonly failureThreshold?: number;
  readonly windowSize?: number;
  /** How long an open circuit refuses calls before letting probes through. */
  readonly openMs?: number;
  /** Probes let through at once while half-open. */
  readonly halfOpenProbes?: number;
  /** Successful probes in a row that close the circuit. */
  readonly successesToClose?: number;
  /** Which errors are the callee's fault; all errors count when absent. */
  readonly isFailure?: (error: unknown) => boolean;
  /** Told every state change (for a metric, a log line). */
  readonly onStateChange?: (state: CircuitState, circuit: string) => void;
  readonly now?: () => number;
}

export const CIRCUIT_DEFAULTS = {
  failureThreshold: 5,
  windowSize: 10,
  openMs: 10_000,
  halfOpenProbes: 1,
  successesToClose: 2,
} as const;

export class CircuitBreaker {
  private stateNow: CircuitState = 'closed';
  /** Outcomes of the last calls while closed, true for a failure. */
  private outcomes: boolean[] = [];
  private openedAt = 0;
  private probesInFlight = 0;
  /** Resolved whenever a probe ends; the calls waiting in half-open look again then. */
  private probeEnded: { promise: Promise<void>; resolve: () => void } | undefined;
  private probeSuccesses = 0;
  private lastFailure: string | undefined;
  private readonly settings: Required<Omit<CircuitBreakerOptions, 'isFailure' | 'onStateChange' | 'now'>>;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions = {},
  ) {
    this.settings = {
      failureThreshold: options.failureThreshold ?? CIRCUIT_DEFAULTS.failureThreshold,
      windowSize: options.windowSize ?? CIRCUIT_DEFAULTS.windowSize,
      openMs: options.openMs ?? CIRCUIT_DEFAULTS.openMs,
      halfOpenProbes: options.halfOpenProbes ?? CIRCUIT_DEFAULTS.halfOpenProbes,
      successesToClose: options.successesToClose ?? CIRCUIT_DEFAULTS.successesToClose,
    };
    if (this.settings.failureThreshold < 1 || this.settings.failureThreshold > this.settings.windowSize) {
      throw new RangeError(`circuit ${name}: failureThreshold must be between 1 and windowSize (${String(this.settings.windowSize)})`);
    }
    this.now = options.now ?? Date.now;
  }

  /** The state as of now (an open circuit whose time is up reads half-open). */
  get state(): CircuitState {
    if (this.stateNow === 'open' && this.now() >= this.openedAt + this.settings.openMs) this.moveTo('half-open');
    return this.stateNow;
  }

  /** Runs `call` through the breaker, or throws CircuitOpenError without running it. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const probe = await this.admit();
    try {
      const result = await call();
      this.recordSuccess(probe);
      return result;
    } catch (error) {
      if (this.options.isFailure?.(error) ?? true) this.recordFailure(probe, error);
      else this.recordSuccess(probe);
      throw error;
    } finally {
      if (probe) this.endProbe();
    }
  }

  /**
   * Lets a call through (true when it goes as a probe), waiting while half-open probes are out;
   * throws CircuitOpenError when the circuit is open.
   */
  private async admit(): Promise<boolean> {
    for (;;) {
      const state = this.state;
      if (state === 'closed') return false;
      if (state === 'open') throw new CircuitOpenError(this.name, this.openedAt + this.settings.openMs, this.lastFailure);
      if (this.probesInFlight < this.settings.halfOpenProbes) {
        // Counted before returning: the waiters woken with this one must see the slot taken.
        this.probesInFlight++;
        return true;
      }
      await this.nextProbeEnd();
    }
  }

  private nextProbeEnd(): Promise<void> {
    if (this.probeEnded === undefined) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((done) => { resolve = done; });
      this.probeEnded = { promise, resolve };
    }
    return this.probeEnded.promise;
  }

  private endProbe(): void {
    this.probesInFlight--;
    const ended = this.probeEnded;
    this.probeEnded = undefined;
    ended?.resolve();
  }

  private recordSuccess(probe: boolean): void {
    if (probe || this.stateNow === 'half-open') {
      this.probeSuccesses++;
      if (this.probeSuccesses >= this.settings.successesToClose) this.moveTo('closed');
      return;
    }
    if (this.stateNow === 'closed') this.push(false);
  }

  private recordFailure(probe: boolean, error: unknown): void {
    this.lastFailure = error instanceof Error ? error.message : String(error);
    if (probe || this.stateNow === 'half-open') {
      this.open();
      return;
    }
    if (this.stateNow !== 'closed') return;
    this.push(true);
    if (this.outcomes.filter(Boolean).length >= this.settings.failureThreshold) this.open();
  }

  private push(failed: boolean): void {
    this.outcomes.push(failed);
    if (this.outcomes.length > this.settings.windowSize) this.outcomes.shift();
  }

  private open(): void {
    this.openedAt = this.now();
    this.moveTo('open');
  }

  private moveTo(state: CircuitState): void {
    if (state === this.stateNow && state !== 'open') return;
    this.stateNow = state;
    this.outcomes = [];
    this.probeSuccesses = 0;
    this.options.onStateChange?.(state, this.name);
  }
}

/** One breaker per callee, made on first use with the same options. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly options: CircuitBreakerOptions = {}) {}

  for(callee: string): CircuitBreaker {
    let breaker = this.breakers.get(callee);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(callee, this.options);
      this.breakers.set(callee, breaker);
    }
    return breaker;
  }

  states(): ReadonlyMap<string, CircuitState> {
    return new Map([...this.breakers].map(([name, breaker]) => [name, breaker.state]));
  }
}
