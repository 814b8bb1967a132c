/**
 * SIGTERM/SIGINT → one graceful shutdown; a second signal exits at once, and so does a process
 * still alive `deadlineMs` after the first (NOVA_SHUTDOWN_TIMEOUT, as the services'): something
 * still holds the event loop open then (a connection, a timer), and the kubelet would SIGKILL the
 * pod at the end of its grace period anyway. Exiting first says what it was.
 */
import type { Logger } from './log.js';

export interface ShutdownOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /** From the first signal to a forced exit(1); default 10 s, the chart's NOVA_SHUTDOWN_TIMEOUT. */
  readonly deadlineMs?: number;
}

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 10_000;

/** What holds the event loop open, counted by kind (`TCPWRAP ×2, Timeout`): the log of a stuck shutdown. */
export function lingeringResources(): string {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => (count > 1 ? `${kind} ×${String(count)}` : kind)).join(', ');
}

export function shutdownOnSignals(shutdown: () => Promise<void>, logger: Logger, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const deadlineMs = options.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info('shutting down', { signal, deadlineMs });
    // Unref'd: a process that stopped cleanly exits without waiting for it.
    setTimeout(() => {
      logger.error('shutdown deadline passed; exiting with something still open', { deadlineMs, lingering: lingeringResources() });
      process.exit(1);
    }, deadlineMs).unref();
    shutdown().then(
      () => { process.exitCode ??= 0; },
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exitCode = 1;
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => { for (const signal of signals) process.off(signal, handler); };
}
