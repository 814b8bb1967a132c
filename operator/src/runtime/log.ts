/**
 * The runtime's logging seam: one JSON object per line on stderr by default, so the operator's
 * logs are machine-readable in a cluster. Callers pass context as fields, never secrets.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(base: LogFields = {}, minLevel: Level = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (level: Level, message: string, fields?: LogFields): void => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message, ...base, ...fields };
    for (const [key, value] of Object.entries(record)) {
      if (value instanceof Error) record[key] = { name: value.name, message: value.message };
    }
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (message, fields) => { emit('debug', message, fields); },
    info: (message, fields) => { emit('info', message, fields); },
    warn: (message, fields) => { emit('warn', message, fields); },
    error: (message, fields) => { emit('error', message, fields); },
    child: (fields) => jsonLogger({ ...base, ...fields }, minLevel, write),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
