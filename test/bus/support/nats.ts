/**
 * A nats-server of the test bed's build for one test file: the bus declares the fixed streams
 * NOVA/TELEGRAM/DLQ (contracts), so tests that run in parallel with other files (and other
 * engineers' suites) get a server of their own instead of sharing the run's streams.
 */
import { startNats, Stack, type NatsInfo } from '@nova/testbed';
import { createLogger, Metrics, type Logger } from '@nova/platform';
import { Writable } from 'node:stream';

export interface PrivateNats {
  readonly info: NatsInfo;
  stop(): Promise<void>;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
  const info = await startNats(stack);
  return { info, stop: () => stack.stop() };
}

/** A logger whose lines are kept for assertions (and never printed). */
export function memoryLogger(name: string): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  const logger = createLogger({ name, level: 'debug', destination });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export function testMetrics(side: 'legacy' | 'target' = 'target'): Metrics {
  return new Metrics({ namespace: 'test', side, defaults: false });
}

/** Resolves once `condition` holds, or rejects with `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
