/** The environment does not describe a runnable process; `problems` has one line per variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
}

/** A duration setting such as NOVA_SHUTDOWN_TIMEOUT that is not `<number><unit>`. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
  constructor(readonly value: string) {
    super(`not a duration: "${value}" (expected e.g. 500ms, 10s, 1m30s)`);
  }
}

/** The HTTP server could not listen on its address. */
export class HttpListenError extends Error {
  override readonly name = 'HttpListenError';
  constructor(readonly address: string, cause: unknown) {
    super(`cannot listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
