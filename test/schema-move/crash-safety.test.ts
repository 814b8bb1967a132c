/**
 * The engine's failure paths on the test bed's real PostgreSQL: a sequence stopped before any of its
 * steps (as if the process were killed there) converges when run again; a swap that fails inside its
 * transaction changes nothing; a row changed behind the verifier's back makes the verification fail
 * and reverses the context (and, in moveAll, the contexts before it); a swap that cannot get its
 * lock within its retries fails cleanly without changing anything; the backup restores once, by
 * force; and the CLI speaks JSON (from dist/: `npm run build` first).
 */
import { waitFor } from '@nova/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  backup,
  InjectedFaultError,
  LockNotAvailableError,
  moveAll,
  moveContext,
  MoveReversedError,
  prepare,
  restore,
  reverseAll,
  status,
  swapContext,
  VerificationFailedError,
  verifyAll,
  type MovePlan,
} from '@nova/schema-move';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createLegacyDatabase, type LegacyDatabase } from './support/legacy-database.js';

let db: LegacyDatabase;
let migrator: pg.Client;
const workDir = mkdtempSync(join(tmpdir(), 'nova-schema-move-'));
const quiet = { log: () => undefined };

beforeAll(async () => {
  db = await createLegacyDatabase('movecrash');
  migrator = await db.migratorClient();
  await prepare(migrator, db.plan);
  await db.admin(`INSERT INTO public.users (telegram_id, name) SELECT g, 'user ' || g FROM generate_series(1, 200) g`);
  await db.admin(`INSERT INTO public.posts (owner_id, body) SELECT g % 7, 'post ' || g FROM generate_series(1, 200) g`);
  await db.admin(`INSERT INTO public.payments (invoice_id, amount) SELECT 'inv-' || g, g FROM generate_series(1, 50) g`);
});

afterAll(async () => {
  await migrator.end();
  await db.drop();
  rmSync(workDir, { recursive: true, force: true });
});

const states = async (): Promise<string[]> => (await status(migrator, db.plan)).map((s) => s.state);

/** The catalogue's whole picture of the plan's names: kinds and owners of every relation, and their ACLs. */
async function catalogue(): Promise<unknown[]> {
  const { rows } = await db.admin(
    `SELECT n.nspname, c.relname, c.relkind, c.relacl::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'user_service', 'bot_service', 'publisher_service', 'payment_service') AND c.relkind IN ('r', 'v', 'S', 'i')
      ORDER BY 1, 2`,
  );
  return rows;
}

function failAt(step: string) {
  return {
    ...quiet,
    faults: {
      beforeStep: (name: string) => {
        if (name === step) throw new InjectedFaultError(`stopped before ${name}`, '');
      },
    },
  };
}

describe('a sequence stopped before any step converges when run again', () => {
  beforeEach(async () => {
    await reverseAll(migrator, db.plan, quiet);
  });

  const moveSteps = ['user_service', 'bot_service', 'publisher_service', 'payment_service'].flatMap((s) => [`move ${s}`, `verify ${s}`]);
  it.each(moveSteps)('move, stopped before "%s"', async (step) => {
    await expect(moveAll(migrator, db.plan, failAt(step))).rejects.toThrow(InjectedFaultError);
    const report = await moveAll(migrator, db.plan, quiet);
    expect(report.moved.every((m) => m.verification.ok)).toBe(true);
    expect(await states()).toEqual(['moved', 'moved', 'moved', 'moved']);
  });

  const reverseSteps = ['payment_service', 'publisher_service', 'bot_service', 'user_service'].flatMap((s) => [`reverse ${s}`, `verify-reverse ${s}`]);
  it.each(reverseSteps)('reverse, stopped before "%s"', async (step) => {
    await moveAll(migrator, db.plan, quiet);
    await expect(reverseAll(migrator, db.plan, failAt(step))).rejects.toThrow(InjectedFaultError);
    const reports = await reverseAll(migrator, db.plan, quiet);
    expect(reports.every((r) => r.verification.ok)).toBe(true);
    expect(await states()).toEqual(['before', 'before', 'before', 'before']);
  });
});

describe('failures inside a swap', () => {
  beforeEach(async () => {
    await reverseAll(migrator, db.plan, quiet);
  });

  it('a crash inside the swap transaction (after the tables moved) changes nothing', async () => {
    const before = await catalogue();
    const crash = { ...quiet, faults: { insideSwap: () => Promise.reject(new InjectedFaultError('killed mid-swap', 'publisher_service')) } };
    const publisher = db.plan.contexts[2];
    if (!publisher) throw new Error('no publisher context');
    await expect(swapContext(migrator, db.plan, publisher, 'move', crash)).rejects.toThrow(InjectedFaultError);
    expect(await catalogue()).toEqual(before);
    expect((await moveContext(migrator, db.plan, publisher, quiet)).verification.ok).toBe(true);
  });

  /** Bounded: 2 s, well inside the second swap's 5 s lock timeout. */
  async function secondWaitsOnALock(pid: number): Promise<void> {
    const failure = await waitFor(async () => {
      const { rows } = await db.admin<{ wait: string | null }>('SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1', [pid]);
      return rows[0]?.wait === 'Lock';
    }, { timeoutMs: 2_000, intervalMs: 20 });
    if (failure !== undefined) throw new Error(`the second swap (pid ${String(pid)}) never waited on a lock: ${failure}`);
  }

  it('two swaps of one context at once (a step re-run by a restarted operator while the killed one\'s process still runs it) take turns: both succeed, the second finds the work done', async () => {
    const bots = db.plan.contexts[1];
    if (!bots) throw new Error('no bot context');
    const second = await db.migratorClient();
    try {
      let concurrent: Promise<unknown> | undefined;
      // The second starts while the first holds its locks; the first commits only once the second
      // is seen waiting on a lock (pg_stat_activity), so the two really overlap.
      const first = { ...quiet, faults: { insideSwap: async () => {
        concurrent = swapContext(second, db.plan, bots, 'move', { ...quiet, lockTimeoutMs: 5_000 });
        await secondWaitsOnALock((second as unknown as { processID: number }).processID);
      } } };
      const moved = await swapContext(migrator, db.plan, bots, 'move', first);
      const after = (await concurrent) as Awaited<ReturnType<typeof swapContext>>;
      expect(moved.moved.map((t) => t.table)).toEqual(['user_bots']);
      expect(after.moved).toEqual([]);
      expect(after.alreadyDone).toEqual(['user_bots']);
      expect((await verifyAll(migrator, db.plan)).find((v) => v.schema === 'bot_service')?.ok).toBe(true);
    } finally {
      await second.end();
    }
  });

  it('a row changed behind the verifier\'s back fails the verification and reverses that context and the ones before it', async () => {
    const before = await catalogue();
    const { rows: [original] } = await db.admin<{ name: string }>('SELECT name FROM public.users WHERE telegram_id = 7');
    // The hook runs inside the publisher's swap, between its "before" and "after" fingerprints.
    const tamper = {
      ...quiet,
      faults: {
        insideSwap: async (client: Pick<pg.ClientBase, 'query'>, context: string) => {
          if (context === 'publisher_service') await client.query(`UPDATE publisher_service.posts SET body = 'tampered' WHERE id = 3`);
        },
      },
    };
    const failure = await moveAll(migrator, db.plan, tamper).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MoveReversedError);
    const reversed = failure as MoveReversedError;
    expect(reversed.failed).toBeInstanceOf(VerificationFailedError);
    expect(reversed.failed.message).toMatch(/posts changed during the swap/);
    expect(reversed.reversed).toEqual(['publisher_service', 'bot_service', 'user_service']);
    expect(await states()).toEqual(['before', 'before', 'before', 'before']);
    // The same tables, views, sequences, indexes and grants as before the attempt; the rows untouched by the hook as they were.
    expect(await catalogue()).toEqual(before);
    expect((await db.admin<{ name: string }>('SELECT name FROM public.users WHERE telegram_id = 7')).rows[0]).toEqual(original);
    expect((await verifyAll(migrator, db.plan)).every((v) => v.ok)).toBe(true);
    await db.admin(`UPDATE public.posts SET body = 'post 3' WHERE id = 3`);
  });

  it('a table estimated above the row limit is not scanned under the lock; its storage is compared, and the snapshot check still runs', async () => {
    await db.admin('ANALYZE public.users');
    const users = db.plan.contexts[0];
    if (!users) throw new Error('no users context');
    const report = await moveContext(migrator, db.plan, users, { ...quiet, fingerprintRowLimit: 100 });
    const [swapped] = report.swap.moved;
    expect(swapped?.before).toBeUndefined();
    expect(swapped?.filenodeAfter).toBe(swapped?.filenodeBefore);
    expect(report.verification.tables[0]?.live.rows).toBe(200);
    expect(report.verification.ok).toBe(true);
  });

  it('a swap that cannot get its lock within its retries fails cleanly and changes nothing', async () => {
    const before = await catalogue();
    // A long transaction holding a plain read lock on one of the context's tables (a report, a backup in flight).
    const reader = new pg.Client({ connectionString: db.adminUrl });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM public.payments');
      const payments = db.plan.contexts[3];
      if (!payments) throw new Error('no payments context');
      const started = performance.now();
      const failure = await swapContext(migrator, db.plan, payments, 'move', { ...quiet, lockTimeoutMs: 20, retries: 3, backoffMs: 10 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LockNotAvailableError);
      expect((failure as LockNotAvailableError).attempts).toBe(4);
      // Bounded: four waits of 20 ms and three short backoffs, far from a queue behind the reader.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(await catalogue()).toEqual(before);
      // Nothing of the swap is left holding a lock: a writer goes through while the reader still holds its own.
      await db.admin(`INSERT INTO public.payments (invoice_id, amount) VALUES ('during-lock', 1)`);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    await db.admin(`DELETE FROM public.payments WHERE invoice_id = 'during-lock'`);
  });
});

describe('the backup, as the last resort', () => {
  it('restores the database as it was at the backup, over a half-moved arrangement', async () => {
    await reverseAll(migrator, db.plan, quiet);
    const taken = await backup(db.migrator.url, join(workDir, 'backups'));
    const before = await catalogue();
    const { rows: [counted] } = await db.admin<{ n: string }>('SELECT count(*)::text AS n FROM public.users');
    const users = db.plan.contexts[0];
    const bots = db.plan.contexts[1];
    if (!users || !bots) throw new Error('no contexts');
    await moveContext(migrator, db.plan, users, quiet);
    await moveContext(migrator, db.plan, bots, quiet);
    await db.admin(`INSERT INTO user_service.users (telegram_id, name) VALUES (999999, 'after the backup')`);
    await expect(restore(migrator, db.migrator.url, db.plan, taken.path, 'f'.repeat(64))).rejects.toThrow(/sha256/);
    await restore(migrator, db.migrator.url, db.plan, taken.path, taken.sha256);
    expect(await states()).toEqual(['before', 'before', 'before', 'before']);
    expect((await db.admin<{ n: string }>('SELECT count(*)::text AS n FROM public.users')).rows[0]).toEqual(counted);
    // Object ids differ after a restore: compare the shape, names, kinds and grants.
    expect(await catalogue()).toEqual(before);
    expect((await verifyAll(migrator, db.plan)).every((v) => v.ok)).toBe(true);
    // Every login works again as before.
    const login = db.contexts.user_service;
    if (!login) throw new Error('no login');
    const client = new pg.Client({ connectionString: login.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO user_service.users (telegram_id, name) VALUES (1000001, 'after the restore')`);
    } finally {
      await client.end();
    }
  });
});

describe('the CLI (dist/cli.js)', () => {
  const cli = join(process.cwd(), 'packages/schema-move/dist/cli.js');
  const run = async (args: string[]): Promise<{ code: number; json: Record<string, unknown> }> => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: db.migrator.url } });
      return { code: 0, json: JSON.parse(stdout) as Record<string, unknown> };
    } catch (error) {
      const e = error as { code: number; stdout: string };
      return { code: e.code, json: JSON.parse(e.stdout) as Record<string, unknown> };
    }
  };

  it('moves one context, verifies and reports status as JSON, without the password in its output', async () => {
    const planFile = join(workDir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(db.plan satisfies MovePlan));
    await reverseAll(migrator, db.plan, quiet);
    const moved = await run(['move', '--plan', planFile, '--context', 'bot_service']);
    expect(moved.code).toBe(0);
    expect(moved.json.ok).toBe(true);
    const verified = await run(['verify', '--plan', planFile]);
    expect(verified.json).toMatchObject({ ok: true, verified: true });
    const shown = await run(['status', '--plan', planFile]);
    expect((shown.json.status as { schema: string; state: string }[]).map((s) => s.state)).toEqual(['before', 'moved', 'before', 'before']);
    // A grant lost behind its back: verify says so (exit 3), and prepare grants it again.
    await db.admin(`REVOKE ALL ON bot_service.user_bots FROM ${db.contexts.bot_service?.role ?? ''}`);
    const unverified = await run(['verify', '--plan', planFile]);
    expect(unverified.code).toBe(3);
    expect(JSON.stringify(unverified.json)).toMatch(/lacks SELECT on bot_service\.user_bots/);
    expect((await run(['prepare', '--plan', planFile])).code).toBe(0);
    expect((await run(['verify', '--plan', planFile])).code).toBe(0);
    const refused = await run(['move', '--plan', planFile, '--context', 'nope']);
    expect(refused).toMatchObject({ code: 1, json: { ok: false, error: { name: 'InvalidMovePlanError' } } });
    expect(JSON.stringify([moved, verified, shown, refused])).not.toContain(db.migrator.password);
    await reverseAll(migrator, db.plan, quiet);
  });
});
