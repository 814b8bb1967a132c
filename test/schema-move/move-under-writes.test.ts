/**
 * Stage 7's sequence on the test bed's real PostgreSQL while a steady writer keeps writing through
 * every side's own login (each context's login through its schema, the legacy login through
 * `public`): backup, move all four contexts (each verified), reverse them all. Not one write may
 * fail and not one acknowledged write may be missing. The longest stall is printed, not asserted
 * (bench/src/schema-move.ts measures it over many rounds).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { backup, moveAll, prepare, reverseAll, sampleWriteTargets, status, SteadyWriter, verifyAll } from '@nova/schema-move';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createLegacyDatabase, type LegacyDatabase } from './support/legacy-database.js';

let db: LegacyDatabase;
let migrator: pg.Client;
const backupDir = mkdtempSync(join(tmpdir(), 'nova-schema-move-'));

beforeAll(async () => {
  db = await createLegacyDatabase('movewrites');
  migrator = await db.migratorClient();
  await prepare(migrator, db.plan);
});

afterAll(async () => {
  await migrator.end();
  await db.drop();
  rmSync(backupDir, { recursive: true, force: true });
});

it('moves all four contexts and back while every side writes: nothing fails, nothing is lost', async () => {
  const taken = await backup(db.migrator.url, backupDir);
  expect(taken.bytes).toBeGreaterThan(0);
  expect(taken.sha256).toBe(createHash('sha256').update(readFileSync(taken.path)).digest('hex'));

  const contextUrls = Object.fromEntries(Object.entries(db.contexts).map(([schema, login]) => [schema, login.url]));
  const targets = sampleWriteTargets(contextUrls, db.legacy.url);
  const writer = await SteadyWriter.start(targets, { pauseMs: 10, maxRunMs: 300_000 });
  let stopped = false;
  try {
    await writer.progress(10);
    const moveStart = performance.now();
    const moved = await moveAll(migrator, db.plan, { log: () => undefined });
    const moveEnd = performance.now();
    expect(moved.moved.map((m) => m.verification.ok)).toEqual([true, true, true, true]);
    expect((await status(migrator, db.plan)).map((s) => s.state)).toEqual(['moved', 'moved', 'moved', 'moved']);
    // Every side keeps writing after the move, each through the same name as before.
    await writer.progress(10);
    const reverseStart = performance.now();
    const reversed = await reverseAll(migrator, db.plan, { log: () => undefined });
    const reverseEnd = performance.now();
    expect(reversed.map((r) => r.verification.ok)).toEqual([true, true, true, true]);
    await writer.progress(10);
    await writer.stop();
    stopped = true;

    expect(writer.failures).toEqual([]);
    const swaps = [...moved.moved.map((m) => m.swap), ...reversed.map((r) => r.swap)];
    const rowsChecked = swaps.flatMap((s) => s.moved).reduce((sum, t) => sum + (t.before?.rows ?? 0), 0);
    console.log(
      `schema move under writes: ${String(writer.acknowledged())} writes, 0 failed; longest write during the moves ` +
        `${writer.longestWriteDuring(moveStart, moveEnd).toFixed(1)} ms, during the reverses ${writer.longestWriteDuring(reverseStart, reverseEnd).toFixed(1)} ms; ` +
        `locks held per swap ${swaps.map((s) => `${s.schema} ${s.direction} ${s.lockedMs.toFixed(1)} ms (attempt ${String(s.attempts)})`).join(', ')}; ` +
        `${String(rowsChecked)} rows fingerprinted; backup ${String(taken.bytes)} bytes`,
    );
  } finally {
    if (!stopped) await writer.stop();
  }

  // Every acknowledged write is in its table, exactly once (the tables are back in public).
  const byTarget = new Map<string, { table: string; keyColumn: string; keys: string[] }>();
  for (const sample of writer.samples) {
    const target = targets.find((t) => t.label === sample.target);
    if (!target) throw new Error(`no table for ${sample.target}`);
    const entry = byTarget.get(sample.target) ?? { table: target.table, keyColumn: target.keyColumn, keys: [] };
    entry.keys.push(sample.key);
    byTarget.set(sample.target, entry);
  }
  expect(byTarget.size).toBe(9);
  for (const [target, { table, keyColumn, keys }] of byTarget) {
    const { rows } = await db.admin<{ n: string }>(`SELECT count(*)::text AS n FROM public.${table} WHERE ${keyColumn} = ANY($1::text[])`, [keys]);
    expect({ target, found: Number(rows[0]?.n) }).toEqual({ target, found: keys.length });
  }
  expect((await verifyAll(migrator, db.plan)).every((v) => v.ok)).toBe(true);
});
