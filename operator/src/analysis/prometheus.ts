/**
 * The smallest Prometheus client the analysis needs: one instant query, answered with one number.
 * The two ways it can fail are kept apart, because they mean different things to a person:
 * Prometheus could not be reached (an outage), or it refused the query (a bad PromQL template).
 */

export class PrometheusUnavailableError extends Error {
  constructor(readonly address: string, detail: string, options?: ErrorOptions) {
    super(`Prometheus at ${address} is unavailable: ${detail}`, options);
    this.name = 'PrometheusUnavailableError';
  }
}

export class PrometheusQueryError extends Error {
  constructor(readonly address: string, readonly query: string, detail: string) {
    super(`Prometheus at ${address} refused the query ${query}: ${detail}`);
    this.name = 'PrometheusQueryError';
  }
}

export interface PrometheusClientOptions {
  readonly address: string;
  readonly timeoutMs?: number;
}

interface QueryResponse {
  readonly status?: string;
  readonly error?: string;
  readonly errorType?: string;
  readonly data?: { readonly resultType?: string; readonly result?: unknown };
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class PrometheusClient {
  private readonly base: string;

  constructor(private readonly options: PrometheusClientOptions) {
    this.base = options.address.replace(/\/+$/u, '');
  }

  get address(): string {
    return this.options.address;
  }

  /**
   * Evaluates `query` at `at` (ms since the epoch). Returns the sum of the samples of a vector
   * (one number for an aggregated query), the value of a scalar, and undefined when the result is
   * empty or not a number (NaN: a quantile over no requests).
   */
  async query(query: string, at: number, signal?: AbortSignal): Promise<number | undefined> {
    const body = new URLSearchParams({ query, time: (at / 1000).toFixed(3) });
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(`${this.base}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      throw new PrometheusUnavailableError(this.address, describeFetchError(error), { cause: error });
    }
    const text = await response.text().catch(() => '');
    const parsed = parseJson(text);
    // 400 (bad_data) and 422 (execution) are the query's fault; anything else non-2xx is the server's.
    if (response.status === 400 || response.status === 422) throw new PrometheusQueryError(this.address, query, parsed?.error ?? `HTTP ${String(response.status)}`);
    if (!response.ok || parsed?.status !== 'success') {
      throw new PrometheusUnavailableError(this.address, parsed?.error ?? `HTTP ${String(response.status)} ${text.slice(0, 200)}`);
    }
    return valueOf(parsed.data?.resultType, parsed.data?.result);
  }
}

function parseJson(text: string): QueryResponse | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function valueOf(resultType: string | undefined, result: unknown): number | undefined {
  if (resultType === 'scalar') return finite(sampleValue(result));
  if (resultType !== 'vector' || !Array.isArray(result) || result.length === 0) return undefined;
  let total = 0;
  for (const series of result as readonly unknown[]) {
    const value = finite(sampleValue(typeof series === 'object' && series !== null ? (series as { value?: unknown }).value : undefined));
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

/** A sample is [timestamp, "value"]. */
function sampleValue(sample: unknown): number | undefined {
  if (!Array.isArray(sample) || typeof sample[1] !== 'string') return undefined;
  return Number(sample[1]);
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'the query timed out';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
