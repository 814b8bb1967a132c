/**
 * One stop, however many ask for it: Ctrl-C reaches npm and the demo alike, npm forwards it again,
 * and the run's finally block asks too. Every one of them waits for the same whole stop (a second
 * caller returning at once let the process exit with kube-apiserver still up): the run's cleanups
 * newest first, then `last` (the stack: every process it started, the node's link and cgroups).
 * The signal handlers stay until the process exits: a Ctrl-C that lands while the stop runs joins
 * it, never kills the demo half way with its stack still up.
 */
import { say } from './rehearsal.js';

export class OrderlyStop {
  /** What the run started beside the stack, stopped newest first before it. */
  readonly cleanups: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly last: () => Promise<void>) {}

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
      await this.last();
    })();
    return this.stopping;
  }

  /** SIGINT and SIGTERM stop everything, then exit 130. */
  onSignals(): void {
    const onSignal = (): void => {
      if (this.stopping === undefined) say('\nstopping everything the demo started…');
      void this.stop().finally(() => process.exit(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
