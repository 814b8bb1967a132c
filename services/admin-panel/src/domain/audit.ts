/**
 * The audit log: every admin action, who, what, when, why, before and after. An action on
 * another context cannot share a transaction with this table, so it is written in two steps:
 * a pending entry before the request (a crash leaves "pending", never silence), then its outcome
 * with the state the context answered.
 */
import type { AdminDatabase } from './database.js';

export type AuditTargetKind = 'user' | 'bot' | 'subscription' | 'announcement';
export type AuditOutcome = 'pending' | 'done' | 'failed';

export interface AuditStart {
  readonly adminId: bigint;
  readonly action: string;
  readonly targetKind: AuditTargetKind;
  readonly targetId: string;
  /** The user the action concerns, so their page lists it. */
  readonly subjectUser: bigint | undefined;
  readonly reason: string;
  readonly before?: unknown;
}

export interface AuditEntryView extends AuditStart {
  readonly id: bigint;
  readonly after: unknown;
  readonly outcome: AuditOutcome;
  readonly error: string | undefined;
  readonly startedAt: Date;
}

export interface AuditLog {
  start(entry: AuditStart, at: Date): Promise<bigint>;
  /** `targetId`: what the action made, known only from the answer (an announcement's id). */
  finish(id: bigint, result: { outcome: 'done'; before?: unknown; after: unknown; targetId?: string } | { outcome: 'failed'; error: string }, at: Date): Promise<void>;
  recent(filter: { subjectUser?: bigint; limit: number }): Promise<AuditEntryView[]>;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function json(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
}

export function databaseAuditLog(db: AdminDatabase): AuditLog {
  return {
    async start(entry, at) {
      const row = await db.auditEntry.create({
        data: {
          adminId: entry.adminId, action: entry.action, targetKind: entry.targetKind, targetId: entry.targetId,
          subjectUser: entry.subjectUser ?? null, reason: entry.reason, before: json(entry.before) ?? undefined,
          outcome: 'pending', startedAt: at,
        },
        select: { id: true },
      });
      return row.id;
    },
    async finish(id, result, at) {
      await db.auditEntry.update({
        where: { id },
        data: result.outcome === 'done'
          ? { outcome: 'done', after: json(result.after) ?? undefined, ...(result.before === undefined ? {} : { before: json(result.before) ?? undefined }), ...(result.targetId === undefined ? {} : { targetId: result.targetId }), finishedAt: at }
          : { outcome: 'failed', error: result.error, finishedAt: at },
      });
    },
    async recent(filter) {
      const rows = await db.auditEntry.findMany({
        where: filter.subjectUser === undefined ? {} : { subjectUser: filter.subjectUser },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: filter.limit,
      });
      return rows.map((row) => ({
        id: row.id, adminId: row.adminId, action: row.action, targetKind: row.targetKind as AuditTargetKind, targetId: row.targetId,
        subjectUser: row.subjectUser ?? undefined, reason: row.reason, before: row.before, after: row.after,
        outcome: row.outcome as AuditOutcome, error: row.error ?? undefined, startedAt: row.startedAt,
      }));
    },
  };
}
