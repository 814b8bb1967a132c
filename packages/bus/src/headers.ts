/** Header names the bus writes and reads, in one place. */
export { MSG_ID_HEADER, NOVA_ERROR_HEADER } from '@nova/contracts';

/** The key of what a message is about (the chat id), for ordering and, later, routing (issue 7). */
export const ROUTING_KEY_HEADER = 'Nova-Routing-Key';
/** The handler's idempotency key when it differs from Nats-Msg-Id (a replayed dead letter). */
export const IDEMPOTENCY_KEY_HEADER = 'Nova-Idempotency-Key';
/** The side a router sent the message to (issue 7). */
export const SIDE_HEADER = 'Nova-Side';
/** On events: the side each consuming context handles it on, decided at publish (routing.ts). */
export const ROUTE_HEADER = 'Nova-Route';
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Dead letters carry where they came from and why they died. */
export const DLQ_HEADERS = {
  subject: 'Nova-Dlq-Subject',
  stream: 'Nova-Dlq-Stream',
  sequence: 'Nova-Dlq-Sequence',
  deliveries: 'Nova-Dlq-Deliveries',
  error: 'Nova-Dlq-Error',
  consumer: 'Nova-Dlq-Consumer',
  msgId: 'Nova-Dlq-Msg-Id',
  failedAt: 'Nova-Dlq-Failed-At',
} as const;

/** Header values as the bus passes them between its layers (NATS headers are converted at the edge). */
export type Headers = Map<string, string>;
/** On a reply: how long its handler waited on Telegram's limits (ms), the caller's wait too (outside-waits.ts in @nova/resilience). */
export const OUTSIDE_WAIT_HEADER = 'Nova-Outside-Wait-Ms';
/** When the caller of a request stops waiting (ms since the epoch). */
export const DEADLINE_HEADER = 'Nova-Deadline';
