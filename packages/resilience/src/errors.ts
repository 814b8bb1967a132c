/** The breaker refused the call without trying it: the callee failed too often, too recently. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    /** The breaker's name: the callee, e.g. "svc.user" or "telegram:123456". */
    readonly circuit: string,
    /** When a probe call will be let through again (ms since the epoch). */
    readonly retryAt: number,
    /** What made it open, for the caller's message. */
    readonly lastFailure: string | undefined,
  ) {
    super(`circuit ${circuit} is open until ${new Date(retryAt).toISOString()}${lastFailure === undefined ? '' : ` (last failure: ${lastFailure})`}; failing fast`);
  }
}
