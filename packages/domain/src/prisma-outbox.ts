/**
 * Every context keeps its outbox in a table of its own schema with the same shape
 * (`outbox_events`: id, subject, msg_id, payload, published_at). Each context's generated Prisma
 * client has its own types for it; this is the part of the table's delegate the outbox uses, so
 * one implementation serves all of them.
 */
import type { OutboxRecord, OutboxStore, PendingOutboxRow } from './outbox.js';

export interface OutboxTable {
  findMany(args: {
    where: { publishedAt: null };
    orderBy: { id: 'asc' };
    take: number;
    select: { id: true; subject: true; msgId: true; payload: true };
  }): Promise<readonly PendingOutboxRow[]>;
  updateMany(args: { where: { id: { in: bigint[] }; publishedAt: null }; data: { publishedAt: Date } }): Promise<unknown>;
  createMany(args: { data: { subject: string; msgId: string; payload: Uint8Array<ArrayBuffer> }[] }): Promise<unknown>;
}

/** A context's `outbox_events` table as an OutboxStore. */
export class PrismaOutboxStore implements OutboxStore {
  constructor(private readonly table: OutboxTable) {}

  pending(limit: number): Promise<readonly PendingOutboxRow[]> {
    return this.table.findMany({ where: { publishedAt: null }, orderBy: { id: 'asc' }, take: limit, select: { id: true, subject: true, msgId: true, payload: true } });
  }

  async markPublished(ids: readonly bigint[], at: Date): Promise<void> {
    await this.table.updateMany({ where: { id: { in: [...ids] }, publishedAt: null }, data: { publishedAt: at } });
  }
}

/** Writes events into the outbox table inside the caller's transaction (pass the transaction's delegate). */
export async function appendToOutbox(table: Pick<OutboxTable, 'createMany'>, records: readonly OutboxRecord[]): Promise<void> {
  if (records.length === 0) return;
  await table.createMany({ data: records.map((record) => ({ subject: record.subject, msgId: record.msgId, payload: record.payload })) });
}
