import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { EVENT_SCHEMAS, type EventMessage, type EventSubject } from '@nova/contracts';
import { UnavailableError } from './errors.js';
import type { EventPublisher } from './events.js';

/**
 * Transactional outbox: a handler writes its events into its own schema's outbox table in the
 * same transaction as the state change (so an event exists exactly when the change does), and
 * publishes them after the commit. A publish that fails is retried by the next flush, or by the
 * redelivered request that finds its effect key already recorded; JetStream drops the repeats by
 * msgID.
 */

/** An event as its outbox row holds it. */
export interface OutboxRecord {
  readonly subject: EventSubject;
  readonly msgId: string;
  readonly payload: Uint8Array<ArrayBuffer>;
}

export interface PendingOutboxRow {
  readonly id: bigint;
  readonly subject: string;
  readonly msgId: string;
  readonly payload: Uint8Array;
}

/** One context's outbox table. */
export interface OutboxStore {
  /** Unpublished rows, oldest first. */
  pending(limit: number): Promise<readonly PendingOutboxRow[]>;
  /** Marks these rows published (one write for a flush's rows: issue 20). */
  markPublished(ids: readonly bigint[], at: Date): Promise<void>;
}

/** A row whose subject no event schema knows (written by another version, or by hand). */
export class OutboxRowError extends Error {
  override readonly name = 'OutboxRowError';
  constructor(
    readonly rowId: bigint,
    readonly subject: string,
  ) {
    super(`outbox row ${rowId} has subject "${subject}", which is not an event of contracts/subjects.ts`);
  }
}

/** Publishing stopped at a row; the rest stay pending for the next flush. */
export class OutboxPublishError extends UnavailableError {
  override readonly name = 'OutboxPublishError';
}

function schemaOf(subject: string): DescMessage | undefined {
  return Object.hasOwn(EVENT_SCHEMAS, subject) ? EVENT_SCHEMAS[subject as EventSubject] : undefined;
}

/** Encodes an event for its outbox row. */
export function outboxRecord<S extends EventSubject>(subject: S, message: EventMessage<S>, msgId: string): OutboxRecord {
  const schema: DescMessage = EVENT_SCHEMAS[subject];
  const payload = toBinary(schema, message as MessageShape<DescMessage>);
  return { subject, msgId, payload: new Uint8Array(payload) };
}

export interface FlushOptions {
  /** Rows per flush; a flush publishes at most this many. */
  readonly limit?: number;
  readonly now?: () => Date;
  /**
   * The routing key of an event, read from the event itself (its user's Telegram id), so the rows
   * need no column for it and rows written before this existed are routed too. Undefined: none.
   */
  readonly routingKeyOf?: (subject: EventSubject, message: EventMessage<EventSubject>) => string | bigint | undefined;
}

/**
 * Publishes pending rows in order and marks them published, the rows of one flush in one write.
 * Stops at the first failure so a later event never overtakes an earlier one (the rows published
 * before it are still marked), and throws OutboxPublishError (retryable). A crash before the mark
 * leaves the flush's rows to be published again; JetStream drops the repeats by msgID, as it does
 * for a row whose own mark was lost.
 */
export async function flushOutbox(store: OutboxStore, publisher: EventPublisher, options: FlushOptions = {}): Promise<number> {
  const now = options.now ?? (() => new Date());
  const rows = await store.pending(options.limit ?? 100);
  const published: bigint[] = [];
  const mark = async (): Promise<void> => {
    if (published.length > 0) await store.markPublished(published, now());
  };
  for (const row of rows) {
    const schema = schemaOf(row.subject);
    if (schema === undefined) {
      await mark();
      throw new OutboxRowError(row.id, row.subject);
    }
    const subject = row.subject as EventSubject;
    const message = fromBinary(schema, row.payload) as EventMessage<EventSubject>;
    const routingKey = options.routingKeyOf?.(subject, message);
    try {
      await publisher.publish(subject, message, routingKey === undefined ? { msgId: row.msgId } : { msgId: row.msgId, routingKey });
    } catch (error) {
      await mark();
      throw new OutboxPublishError(
        `publishing ${row.subject} (outbox row ${row.id}) failed; ${rows.length - published.length} event(s) stay pending`,
        { subject: row.subject, msg_id: row.msgId },
        { cause: error },
      );
    }
    published.push(row.id);
  }
  await mark();
  return published.length;
}

/**
 * One flush of an outbox at a time in a process, however many commits ask for one. Each commit's
 * request is answered by a flush that starts after the request (so the rows it committed are in
 * it); requests made while a flush runs share the next one. Without this, N concurrent commits
 * each ran a flush over every pending row (all of theirs): N² publishes and marks where N do, and
 * a payment callback's answer waited on all of them (bench/README.md, "payments").
 */
export class CoalescedFlush {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** The flush whose failure requestSoon already reports (one report per flush, not per caller). */
  private reported: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<unknown>) {}

  /** Resolves when a flush begun after this call has finished; rejects with its error. */
  request(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    if (this.running === undefined) return this.begin();
    this.queued = this.running.then(() => this.begin(), () => this.begin());
    return this.queued;
  }

  /**
   * Asks for a flush begun after this call without waiting for it: a registration answers once
   * its row is committed, and the publish follows (issue 20). A failed flush is handed to onError
   * once, however many callers shared it; its rows stay pending for the next flush (the context's
   * OutboxRelay retries them on its interval).
   */
  requestSoon(onError: (error: unknown) => void): void {
    const flush = this.request();
    if (flush === this.reported) return;
    this.reported = flush;
    flush.catch(onError);
  }

  private begin(): Promise<void> {
    this.queued = undefined;
    const run = (async () => { await this.flush(); })().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
