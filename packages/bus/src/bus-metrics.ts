/**
 * Per-message metrics the operator's analysis compares between sides (contracts.md), and the
 * state of every circuit breaker.
 */
import type { Metrics } from '@nova/platform';
import type { CircuitState } from '@nova/resilience';

const CIRCUIT_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** Why a request got no answer: the callee was too slow, not there, or its circuit was open. */
export type UnansweredReason = 'timeout' | 'no_responders' | 'circuit_open';

export class BusMetrics {
  private readonly messages;
  private readonly durations;
  private readonly deadLetters;
  private readonly circuits;
  private readonly unanswered;

  constructor(private readonly metrics: Metrics) {
    this.messages = metrics.counter('nova_bus_messages_total', 'Messages handled (consumed events/updates and served requests), by outcome', ['namespace', 'side', 'context', 'outcome']);
    this.durations = metrics.histogram('nova_bus_message_duration_seconds', 'Time to handle one message', ['namespace', 'side', 'context']);
    this.deadLetters = metrics.counter('nova_bus_dead_letters_total', 'Messages moved to the dead-letter stream', ['namespace', 'side', 'context']);
    this.circuits = metrics.gauge('nova_circuit_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['circuit']);
    // Counted by the caller: the callee's own nova_bus_messages_total never sees these (a dead
    // service, or one behind an open circuit, handles nothing and so reports no errors).
    this.unanswered = metrics.counter('nova_bus_unanswered_requests_total', 'Requests that got no answer (timeout, no responders, circuit open), by the side they were addressed to', ['namespace', 'context', 'callee_side', 'reason']);
  }

  /** A request to `calleeSide` of `context` that got no answer. */
  unansweredRequest(context: string, calleeSide: string, reason: UnansweredReason): void {
    this.unanswered.inc({ namespace: this.metrics.namespace, context, callee_side: calleeSide, reason });
  }

  handled(context: string, ok: boolean, seconds: number): void {
    const labels = { namespace: this.metrics.namespace, side: this.metrics.side, context };
    this.messages.inc({ ...labels, outcome: ok ? 'ok' : 'error' });
    this.durations.observe(labels, seconds);
  }

  deadLettered(context: string): void {
    this.deadLetters.inc({ namespace: this.metrics.namespace, side: this.metrics.side, context });
  }

  circuit(name: string, state: CircuitState): void {
    this.circuits.set({ circuit: name }, CIRCUIT_VALUE[state]);
  }
}
