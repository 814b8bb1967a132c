/**
 * pino JSON lines on stdout with secrets scrubbed from the message and from every field
 * (redact.ts), not only from known key paths.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { scrubSecrets, scrubValue } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly name: string;
  readonly level?: LogLevel;
  /** Where lines go; stdout when absent (tests pass a stream to read them back). */
  readonly destination?: DestinationStream;
  /** Fields on every line (e.g. namespace, side). */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { name: options.name, pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      // formatters.log below has already turned errors into plain, scrubbed objects; pino's own
      // err serializer would run after it and rename their type to "Object".
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) => (typeof arg === 'string' ? scrubSecrets(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
