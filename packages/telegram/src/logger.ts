/** The subset of a pino logger the client writes to (a pino Logger fits as is). */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface TelegramLogger {
  readonly warn: LogFn;
  readonly debug: LogFn;
}

export const SILENT_LOGGER: TelegramLogger = { warn: () => undefined, debug: () => undefined };
