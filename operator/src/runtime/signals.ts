/** SIGTERM/SIGINT → one graceful shutdown; a second signal exits at once. */
import type { Logger } from './log.js';

export function shutdownOnSignals(shutdown: () => Promise<void>, logger: Logger, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info('shutting down', { signal });
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
