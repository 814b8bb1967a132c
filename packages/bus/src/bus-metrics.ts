/**
 * Per-message metrics the operator's analysis compares between sides (contracts.md), and the
 * state of every circuit breaker.
 */
import type { Metrics } from '@nova/platform';
import type { CircuitState } from '@nova/resilience';

const CIRCUIT_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** Why a request got no answer: the callee was too slow, not there, or its circuit was open. */
export const UNANSWERED_REASONS = ['timeout', 'no_responders', 'circuit_open'] as const;
export type UnansweredReason = (typeof UNANSWERED_REASONS)[number];

export class BusMetrics {
  private readonly messages;
  private readonly durations;
  private readonly outsideWaits;
  private readonly deadLetters;
  private readonly circuits;
  private readonly unanswered;
  /** Contexts whose message series exist (both outcomes). */
  private readonly started = new Set<string>();
  /** `<context>/<side>` whose unanswered series exist. */
  private readonly requested = new Set<string>();

  constructor(private readonly metrics: Metrics) {
    this.messages = metrics.counter('nova_bus_messages_total', 'Messages handled (consumed events/updates and served requests), by outcome', ['namespace', 'side', 'context', 'outcome']);
    // The handler's own time: its waits on Telegram's limits are in the next histogram, not here
    // (outside-waits.ts in @nova/resilience says why the analysis must not judge them).
    this.durations = metrics.histogram('nova_bus_message_duration_seconds', 'Time to handle one message, less its waits on Telegram\'s limits', ['namespace', 'side', 'context']);
    this.outsideWaits = metrics.histogram('nova_bus_message_outside_wait_seconds', 'Time a handled message waited on Telegram\'s limits (per chat, group and bot), left out of nova_bus_message_duration_seconds', ['namespace', 'side', 'context']);
    this.deadLetters = metrics.counter('nova_bus_dead_letters_total', 'Messages moved to the dead-letter stream', ['namespace', 'side', 'context']);
    this.circuits = metrics.gauge('nova_circuit_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['circuit']);
    // Counted by the caller: the callee's own nova_bus_messages_total never sees these (a dead
    // service, or one behind an open circuit, handles nothing and so reports no errors).
    this.unanswered = metrics.counter('nova_bus_unanswered_requests_total', 'Requests that got no answer (timeout, no responders, circuit open), by the side they were addressed to', ['namespace', 'context', 'callee_side', 'reason']);
  }

  /** A request is being sent to `calleeSide` of `context`: its unanswered series exist at 0 from now on (see handled()). */
  requesting(context: string, calleeSide: string): void {
    const key = `${context}/${calleeSide}`;
    if (this.requested.has(key)) return;
    this.requested.add(key);
    for (const reason of UNANSWERED_REASONS) this.unanswered.inc({ namespace: this.metrics.namespace, context, callee_side: calleeSide, reason }, 0);
  }

  /** A request to `calleeSide` of `context` that got no answer. */
  unansweredRequest(context: string, calleeSide: string, reason: UnansweredReason): void {
    this.unanswered.inc({ namespace: this.metrics.namespace, context, callee_side: calleeSide, reason });
  }

  /**
   * `count` messages handled alike (work done outside a bus message: a scheduler call that handed
   * several items), `seconds` of their own and `waitedSeconds` on Telegram's limits.
   */
  handled(context: string, ok: boolean, seconds: number, count = 1, waitedSeconds = 0): void {
    const labels = { namespace: this.metrics.namespace, side: this.metrics.side, context };
    if (!this.started.has(context)) {
      // Both outcomes exported from the first message on: Prometheus's increase() takes a series'
      // first sample as its baseline, so errors whose series appeared already at 5 would count 0.
      this.started.add(context);
      this.messages.inc({ ...labels, outcome: 'ok' }, 0);
      this.messages.inc({ ...labels, outcome: 'error' }, 0);
    }
    this.messages.inc({ ...labels, outcome: ok ? 'ok' : 'error' }, count);
    for (let i = 0; i < count; i++) {
      this.durations.observe(labels, seconds);
      this.outsideWaits.observe(labels, waitedSeconds);
    }
  }

  deadLettered(context: string): void {
    this.deadLetters.inc({ namespace: this.metrics.namespace, side: this.metrics.side, context });
  }

  circuit(name: string, state: CircuitState): void {
    this.circuits.set({ circuit: name }, CIRCUIT_VALUE[state]);
  }
}
