/**
 * Metrics of the Telegram client, in an injectable prom-client registry.
 *
 * `nova_circuit_state{circuit}` is shared with every other breaker of the process (the bus
 * registers it too): whoever registers first creates it, the others set values on it. Circuits
 * are also re-read at every scrape, so an open circuit whose time is up shows half-open even
 * when no call came since.
 */
import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import type { CircuitBreaker, CircuitState } from '@nova/resilience';

export const CIRCUIT_STATE_METRIC = 'nova_circuit_state';
export const TELEGRAM_CALLS_METRIC = 'nova_telegram_calls_total';

export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

export type CallOutcome = 'ok' | 'api_error' | 'rate_limited' | 'transport_error' | 'circuit_open' | 'queue_full' | 'not_started' | 'aborted';

export interface TelegramMetrics {
  /** Records a breaker's state now and on every change. */
  watchCircuit(breaker: CircuitBreaker): void;
  /** The breaker's onStateChange. */
  circuitChanged(state: CircuitState, circuit: string): void;
  callFinished(method: string, outcome: CallOutcome): void;
}

const watchedByRegistry = new WeakMap<Registry, Set<CircuitBreaker>>();

export function telegramMetrics(registry: Registry = defaultRegistry): TelegramMetrics {
  const circuits = circuitGauge(registry);
  const calls = getOrCreate(registry, TELEGRAM_CALLS_METRIC, () =>
    new Counter({ name: TELEGRAM_CALLS_METRIC, help: 'Telegram Bot API calls by method and outcome, after retries', labelNames: ['method', 'outcome'], registers: [registry] }),
  );
  return {
    watchCircuit(breaker) {
      watchedByRegistry.get(registry)?.add(breaker);
      circuits.set({ circuit: breaker.name }, CIRCUIT_STATE_VALUE[breaker.state]);
    },
    circuitChanged(state, circuit) {
      circuits.set({ circuit }, CIRCUIT_STATE_VALUE[state]);
    },
    callFinished(method, outcome) {
      calls.inc({ method, outcome });
    },
  };
}

function circuitGauge(registry: Registry): Gauge<'circuit'> {
  return getOrCreate(registry, CIRCUIT_STATE_METRIC, () => {
    const watched = new Set<CircuitBreaker>();
    watchedByRegistry.set(registry, watched);
    return new Gauge({
      name: CIRCUIT_STATE_METRIC,
      help: 'Circuit breaker state per callee: 0 closed, 1 half-open, 2 open',
      labelNames: ['circuit'],
      registers: [registry],
      collect() {
        // Reading a breaker's state moves an expired open circuit to half-open, which calls onStateChange.
        for (const breaker of watched) this.set({ circuit: breaker.name }, CIRCUIT_STATE_VALUE[breaker.state]);
      },
    });
  });
}

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
