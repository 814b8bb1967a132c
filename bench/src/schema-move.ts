/**
 * Stage 7's swap under a steady writer: the longest write a writer sees while a context's tables
 * move (and move back), against the same writer's latency with no swap running, measured in the
 * same run. Each context's writer writes through its schema, the legacy writer through `public`
 * (sampleWriteTargets), each one row at a time with a 5 ms pause. Three series: every table
 * fingerprinted under the lock (a scan before and after), the default row limit (tables estimated
 * above 10,000 rows only checked by storage), and no fingerprints; the cost of the in-lock
 * verification shows as the difference.
 *
 * Usage: node bench/dist/schema-move.js [--rounds 10] [--rows 20000]
 */
import { backup, prepare, sampleWriteTargets, SAMPLE_LEGACY_TABLES_SQL, SteadyWriter, swapContext, type MovePlan, STAGE_7_CONTEXTS, SAMPLE_EXTRA_TABLES } from '@nova/schema-move';
import { createDatabase, startTestbed } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { option, percentile } from './support.js';

const ROUNDS = option('rounds', 10);
const ROWS = option('rows', 20_000);
const fmt = (ms: number): string => ms.toFixed(1);

console.log(`schema move benchmark: ${String(cpus().length)} cores, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const bed = await startTestbed({ components: ['postgres'] });
const backupDir = mkdtempSync(join(tmpdir(), 'nova-bench-schema-move-'));
try {
  const { postgres } = bed.info;
  if (postgres === undefined) throw new Error('the test bed started without PostgreSQL');
  const url = await createDatabase(postgres.url, `bench_move_${randomBytes(3).toString('hex')}`);
  const plan: MovePlan = { contexts: STAGE_7_CONTEXTS.map((c) => ({ ...c, tables: [...c.tables, ...(SAMPLE_EXTRA_TABLES[c.schema] ?? [])] })) };
  const migrator = new pg.Client({ connectionString: url });
  await migrator.connect();
  await migrator.query(SAMPLE_LEGACY_TABLES_SQL);
  await migrator.query(`INSERT INTO public.users (telegram_id, name) SELECT g, 'user ' || g FROM generate_series(1, ${String(ROWS)}) g`);
  await migrator.query(`INSERT INTO public.posts (owner_id, body) SELECT g % 100, repeat('post ', 20) || g FROM generate_series(1, ${String(ROWS)}) g`);
  await migrator.query(`INSERT INTO public.payments (invoice_id, amount) SELECT 'inv-' || g, g FROM generate_series(1, ${String(ROWS)}) g`);
  await migrator.query('ANALYZE');
  await prepare(migrator, plan);
  const backupStart = performance.now();
  const taken = await backup(url, backupDir);
  console.log(`backup        pg_dump -Fc of ${String(ROWS)} rows in each of users, posts, payments: ${String(taken.bytes)} bytes in ${fmt(performance.now() - backupStart)} ms`);

  const contextUrls = Object.fromEntries(plan.contexts.map((c) => [c.schema, url]));
  const writer = await SteadyWriter.start(sampleWriteTargets(contextUrls, url), { pauseMs: 5, maxRunMs: 30 * 60_000 });
  try {
    await writer.progress(20);
    const quietFrom = performance.now();
    await sleep(3_000);
    const quietTo = performance.now();
    const baseline = writer.samples.filter((s) => s.startedAt >= quietFrom && s.endedAt <= quietTo).map((s) => s.endedAt - s.startedAt);
    const baseP99 = percentile(baseline, 99);
    console.log(`writes alone  ${String(baseline.length)} writes by 9 writers over 3 s: p50 ${fmt(percentile(baseline, 50))} ms, p99 ${fmt(baseP99)} ms, max ${fmt(Math.max(...baseline))} ms`);

    // Every table under the row limit (all fingerprinted), then the default limit (the 20,000-row tables only checked by storage), then none.
    for (const [fingerprints, fingerprintRowLimit] of [[true, Number.MAX_SAFE_INTEGER], [true, 10_000], [false, 0]] as const) {
      const stalls: number[] = [];
      const held: number[] = [];
      const perContext = new Map<string, number[]>();
      let retried = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const direction of ['move', 'reverse'] as const) {
          const contexts = direction === 'move' ? plan.contexts : [...plan.contexts].reverse();
          for (const context of contexts) {
            const from = performance.now();
            const result = await swapContext(migrator, plan, context, direction, { fingerprints, fingerprintRowLimit });
            const to = performance.now();
            // Let writes queued behind the swap finish before reading the longest one.
            await writer.progress(2);
            stalls.push(writer.longestWriteDuring(from, to));
            held.push(result.lockedMs);
            retried += result.attempts - 1;
            perContext.set(context.schema, [...(perContext.get(context.schema) ?? []), result.lockedMs]);
          }
        }
      }
      const label = !fingerprints ? 'no prints   ' : fingerprintRowLimit === 10_000 ? 'prints<=10k ' : 'all prints  ';
      console.log(
        `${label}  ${String(stalls.length)} swaps (${String(ROUNDS)} rounds of 4 moves + 4 reverses), ${String(retried)} lock retries: ` +
          `longest write per swap p50 ${fmt(percentile(stalls, 50))} ms, p99 ${fmt(percentile(stalls, 99))} ms, max ${fmt(Math.max(...stalls))} ms ` +
          `(= ${fmt(percentile(stalls, 99) / baseP99)}x the writes-alone p99); locks held p50 ${fmt(percentile(held, 50))} ms, p99 ${fmt(percentile(held, 99))} ms`,
      );
      console.log(`              locks held per context (p50): ${[...perContext].map(([schema, ms]) => `${schema} ${fmt(percentile(ms, 50))} ms`).join(', ')}`);
    }
  } finally {
    await writer.stop();
  }
  console.log(`writes        ${String(writer.acknowledged())} acknowledged, ${String(writer.failures.length)} failed${writer.failures[0] ? ` (first: ${writer.failures[0].message})` : ''}`);
  await migrator.end();
} finally {
  rmSync(backupDir, { recursive: true, force: true });
  await bed.stop();
}
