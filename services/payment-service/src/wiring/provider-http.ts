/**
 * One outbound call to a payment provider: a JSON request with a timeout, through the provider's
 * circuit breaker. Only the provider's own failures count against the circuit (no answer, a
 * timeout, 5xx, 429); a 4xx for a request it refused says nothing about its health. Errors carry
 * the provider, the operation and the status, never a URL's query, a header or a body (the
 * credentials travel in headers).
 */
import { CircuitBreaker, CircuitOpenError, type CircuitState } from '@nova/resilience';

export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';
  constructor(
    readonly provider: string,
    readonly operation: string,
    /** The HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${provider} ${operation} failed: ${detail}`);
  }

  /** The provider's own fault (the circuit counts it). */
  get providerFault(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }
}

export interface ProviderHttpOptions {
  readonly provider: string;
  readonly timeoutMs: number;
  readonly onCircuitState?: (state: CircuitState, circuit: string) => void;
}

export class ProviderHttp {
  private readonly circuit: CircuitBreaker;

  constructor(private readonly options: ProviderHttpOptions) {
    this.circuit = new CircuitBreaker(`payment:${options.provider}`, {
      isFailure: (error) => !(error instanceof ProviderCallError) || error.providerFault,
      ...(options.onCircuitState === undefined ? {} : { onStateChange: options.onCircuitState }),
    });
  }

  get circuitState(): CircuitState {
    return this.circuit.state;
  }

  /** The answer's status and text; throws ProviderCallError on no answer, or CircuitOpenError without calling. */
  async call(operation: string, url: URL, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    return this.circuit.run(async () => {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      try {
        const response = await fetch(url, {
          method: init.method,
          headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body }),
          signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
        });
        const text = await response.text();
        if (response.status >= 500 || response.status === 429) throw new ProviderCallError(this.options.provider, operation, response.status, `HTTP ${String(response.status)}`);
        return { status: response.status, text };
      } catch (error) {
        if (error instanceof ProviderCallError) throw error;
        // fetch's errors come from another realm under jest's VM: read them by shape, keep only the kind.
        const shape = error as { name?: string; cause?: { code?: string } };
        const kind = shape.name === 'TimeoutError' ? `no answer within ${String(this.options.timeoutMs)} ms` : (shape.cause?.code ?? shape.name ?? 'request failed');
        throw new ProviderCallError(this.options.provider, operation, undefined, kind);
      }
    });
  }
}

export { CircuitOpenError };
