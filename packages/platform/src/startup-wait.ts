/**
 * waitForDependency: how a deployable waits at start for something it cannot serve without (NATS,
 * PostgreSQL) instead of exiting. An exited start is, in Kubernetes, CrashLoopBackOff with growing
 * delays; a process that waits stays up (/healthz 200), says on /readyz what it waits for, and
 * starts the moment the dependency answers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartupProgress } from './lifecycle.js';
import type { Logger } from './logger.js';
import { scrubSecrets } from './redact.js';

/** Between attempts: 250 ms doubling to this. */
export const STARTUP_RETRY_MAX_MS = 2_000;
const STARTUP_RETRY_FIRST_MS = 250;

export interface DependencyWait<T> {
  /** What is awaited, as people call it: "NATS", "PostgreSQL". */
  readonly dependency: string;
  /** Where: host:port, never a URL (it may carry credentials). */
  readonly address: string;
  /** One try; its result is returned once it succeeds. */
  readonly attempt: () => Promise<T>;
  /**
   * Whether a failure is worth waiting out (the dependency not there yet); any other failure is
   * thrown at once. Default: every failure.
   */
  readonly transient?: (error: unknown) => boolean;
  /**
   * A deployable's start (runService's `service.startup`): failures are waited out, the reason on
   * /readyz, until an attempt succeeds or the signal aborts. Without it, the first failure throws
   * (tools, tests).
   */
  readonly startup: StartupProgress | undefined;
  readonly logger: Logger;
}

/**
 * A failure in words, for logs and /readyz: its code and message, scrubbed, at most 300
 * characters. Read by shape, not `instanceof` (an error from another realm, e.g. under jest's VM,
 * is no `Error` here). Node's connect to a name with several addresses fails with an
 * AggregateError whose own message is empty: its first error speaks for it.
 */
export function describeFailure(error: unknown): string {
  const { errors, message } = (error ?? {}) as { errors?: unknown; message?: unknown };
  const shown: unknown = message === '' && Array.isArray(errors) && errors.length > 0 ? errors[0] : error;
  const shownMessage = (shown as { message?: unknown } | null | undefined)?.message;
  if (typeof shownMessage !== 'string') return scrubSecrets(String(shown)).slice(0, 300);
  const code: unknown = (shown as { code?: unknown }).code ?? (error as { code?: unknown }).code;
  const text = `${typeof code === 'string' || typeof code === 'number' ? `${String(code)}: ` : ''}${shownMessage}`;
  return scrubSecrets(text).slice(0, 300);
}

/** The delay after the `attempt`-th failure (0-based). */
export function startupRetryDelay(attempt: number): number {
  return Math.min(STARTUP_RETRY_MAX_MS, STARTUP_RETRY_FIRST_MS * 2 ** Math.min(attempt, 8));
}

export async function waitForDependency<T>(wait: DependencyWait<T>): Promise<T> {
  const { startup, logger, dependency, address } = wait;
  if (startup === undefined) return wait.attempt();
  let logged: string | undefined;
  for (let attempt = 0; ; attempt++) {
    startup.signal.throwIfAborted();
    try {
      const result = await wait.attempt();
      if (logged !== undefined) logger.info({ dependency, address }, `${dependency} reachable; starting`);
      startup.waiting(undefined);
      return result;
    } catch (error) {
      startup.signal.throwIfAborted();
      if (!(wait.transient?.(error) ?? true)) throw error;
      const reason = `waiting for ${dependency} at ${address}: ${describeFailure(error)}`;
      startup.waiting(reason);
      // Once per change of reason: a long outage is one line, not one per attempt.
      if (reason !== logged) logger.warn({ dependency, address }, reason);
      logged = reason;
      await sleep(startupRetryDelay(attempt), undefined, { signal: startup.signal });
    }
  }
}
