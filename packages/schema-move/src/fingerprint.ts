/**
 * Row count and an order-free checksum of a relation (the sum of each row's 64-bit text hash), so a
 * table and a view of it, or a table before and after it moved, compare equal exactly when they hold
 * the same rows. A full scan: inside the swap it is paid under the lock (docs/database-split.md).
 */
import type { Queryable } from './catalogue.js';

export interface Fingerprint {
  readonly rows: number;
  /** Decimal text: the sum of 64-bit hashes overflows bigint. */
  readonly checksum: string;
}

export async function fingerprint(db: Queryable, schema: string, relation: string): Promise<Fingerprint> {
  const { rows } = await db.query<{ rows: string; checksum: string }>(
    `SELECT count(*)::text AS rows, coalesce(sum(hashtextextended(r::text, 0)::numeric), 0)::text AS checksum FROM ${schema}.${relation} AS r`,
  );
  const row = rows[0];
  return { rows: Number(row?.rows ?? 0), checksum: row?.checksum ?? '0' };
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}
