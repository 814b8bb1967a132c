/**
 * The dead-letter stream: where a message goes after `maxDeliver` failed attempts, with where it
 * came from and why it died, and how a person lists and replays it (`nova-bus dlq ...`).
 * Replay republishes to the original subject with the original headers (trace context, routing
 * key); the handler sees the original msgID as its idempotency key, while the replay gets a
 * msgID of its own so the stream's de-duplication does not drop it.
 */
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { deadLetterFilter, deadLetterSubject, MSG_ID_HEADER, STREAMS } from '@nova/contracts';
import { DLQ_HEADERS, IDEMPOTENCY_KEY_HEADER, type Headers } from '../headers.js';
import type { StreamKind } from '../transport.js';
import { fromNatsHeaders, toNatsHeaders } from './nats-headers.js';

export interface DeadLetter {
  /** Sequence in the DLQ stream (what `replay --seq` takes). */
  readonly dlqSequence: number;
  readonly stream: StreamKind;
  readonly subject: string;
  readonly sequence: number;
  readonly deliveries: number;
  readonly error: string;
  readonly consumer: string;
  readonly msgId: string;
  readonly failedAt: string;
  readonly size: number;
}

export interface DeadLetterSource {
  readonly stream: StreamKind;
  readonly subject: string;
  readonly consumer: string;
  readonly message: JsMsg;
  readonly error: string;
}

/** Publishes `source` to dlq.<stream>.<subject>; a repeat for the same message is de-duplicated. */
export async function publishDeadLetter(js: JetStreamClient, source: DeadLetterSource): Promise<void> {
  const { message } = source;
  const headers: Headers = fromNatsHeaders(message.headers);
  const originalMsgId = headers.get(IDEMPOTENCY_KEY_HEADER) ?? headers.get(MSG_ID_HEADER) ?? '';
  headers.delete(MSG_ID_HEADER);
  headers.set(DLQ_HEADERS.subject, source.subject);
  headers.set(DLQ_HEADERS.stream, source.stream);
  headers.set(DLQ_HEADERS.sequence, String(message.seq));
  headers.set(DLQ_HEADERS.deliveries, String(message.info.deliveryCount));
  headers.set(DLQ_HEADERS.error, source.error.slice(0, 1_000));
  headers.set(DLQ_HEADERS.consumer, source.consumer);
  headers.set(DLQ_HEADERS.msgId, originalMsgId);
  headers.set(DLQ_HEADERS.failedAt, new Date().toISOString());
  await js.publish(deadLetterSubject(source.stream, source.subject), message.data, {
    headers: toNatsHeaders(headers),
    // One dead letter per message per consumer, even if the move is retried after a crash.
    msgID: `dlq:${source.stream}:${String(message.seq)}:${source.consumer}`,
  });
}

export interface DeadLetterQuery {
  /** Only dead letters whose original subject is this (wildcards allowed). */
  readonly subject?: string;
  /** Only these DLQ sequences. */
  readonly sequences?: readonly number[];
  readonly limit?: number;
}

function filterFor(query: DeadLetterQuery): string {
  if (query.subject === undefined) return 'dlq.>';
  const stream = query.subject.startsWith('telegram.') ? 'TELEGRAM' : 'NOVA';
  return query.subject === '>' ? deadLetterFilter(stream) : `dlq.${stream.toLowerCase()}.${query.subject}`;
}

export async function listDeadLetters(jsm: JetStreamManager, query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  const limit = query.limit ?? 1_000;
  const wanted = query.sequences === undefined ? undefined : new Set(query.sequences);
  const filter = filterFor(query);
  let seq = 1;
  while (out.length < limit) {
    const stored = await jsm.direct.getMessage(STREAMS.DLQ, { next_by_subj: filter, seq });
    if (stored === null) break;
    seq = stored.seq + 1;
    if (wanted !== undefined && !wanted.has(stored.seq)) continue;
    const headers = fromNatsHeaders(stored.header);
    out.push({
      dlqSequence: stored.seq,
      stream: (headers.get(DLQ_HEADERS.stream) ?? 'NOVA') as StreamKind,
      subject: headers.get(DLQ_HEADERS.subject) ?? '',
      sequence: Number(headers.get(DLQ_HEADERS.sequence) ?? 0),
      deliveries: Number(headers.get(DLQ_HEADERS.deliveries) ?? 0),
      error: headers.get(DLQ_HEADERS.error) ?? '',
      consumer: headers.get(DLQ_HEADERS.consumer) ?? '',
      msgId: headers.get(DLQ_HEADERS.msgId) ?? '',
      failedAt: headers.get(DLQ_HEADERS.failedAt) ?? '',
      size: stored.data.byteLength,
    });
  }
  return out;
}

export interface ReplayResult {
  readonly replayed: readonly DeadLetter[];
}

/**
 * Republishes the matching dead letters to their original subjects and removes them from the
 * DLQ stream once the origin stream has acknowledged them.
 */
export async function replayDeadLetters(js: JetStreamClient, jsm: JetStreamManager, query: DeadLetterQuery): Promise<ReplayResult> {
  const replayed: DeadLetter[] = [];
  for (const entry of await listDeadLetters(jsm, query)) {
    const stored = await jsm.streams.getMessage(STREAMS.DLQ, { seq: entry.dlqSequence });
    if (stored === null) continue;
    const headers = fromNatsHeaders(stored.header);
    for (const name of Object.values(DLQ_HEADERS)) headers.delete(name);
    if (entry.msgId !== '') headers.set(IDEMPOTENCY_KEY_HEADER, entry.msgId);
    await js.publish(entry.subject, stored.data, {
      headers: toNatsHeaders(headers),
      msgID: `${entry.msgId || entry.subject}:replay:${String(entry.dlqSequence)}`,
    });
    await jsm.streams.deleteMessage(STREAMS.DLQ, entry.dlqSequence);
    replayed.push(entry);
  }
  return { replayed };
}
