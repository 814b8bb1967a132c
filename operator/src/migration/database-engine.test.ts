import { describe, expect, it } from '@jest/globals';
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import type { DatabaseSpec } from '../api/novamigration.js';
import type { OperationResult, SchemaOperation } from '../database/operation.js';
import { decideDatabase, LOCKED_RETRY_MS, UNAVAILABLE_RETRY_MS, type DatabaseDecision } from './database-engine.js';
import type { EngineEvent } from './decision.js';
import { renderStatus } from './status.js';

const T0 = Date.parse('2026-12-05T07:00:00.000Z');

const SPEC: DatabaseSpec = {
  database: {
    legacySchema: 'public',
    lockTimeout: '50ms',
    retries: 20,
    contexts: [
      { name: 'user', schema: 'user_service', tables: ['users'] },
      { name: 'bot', schema: 'bot_service', tables: ['user_bots'] },
      { name: 'payment', schema: 'payment_service', tables: ['payments', 'purchases'] },
    ],
  },
  steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { pause: {} }, { moveSchema: { context: 'bot' } }, { moveSchema: { context: 'payment' } }],
  paused: false,
  onDelete: 'restoreLegacy',
};

/** RFC 7386: what the apiserver stores for a merge patch of status. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  const changes = patch as Record<string, unknown>;
  const kept = Object.entries(base).filter(([key]) => changes[key] !== null);
  const result: Record<string, unknown> = Object.fromEntries(kept);
  for (const [key, value] of Object.entries(changes)) if (value !== null) result[key] = mergePatch(result[key], value);
  return result;
}

interface Sim {
  status: NovaMigrationStatus;
  now: number;
  approvedStep?: number;
  readonly events: EngineEvent[];
  /** Every step run, with the status.database stored when it ran. */
  readonly runs: { operation: SchemaOperation; id: string; stored: NovaMigrationStatus['database'] }[];
}

type Results = (operation: SchemaOperation) => OperationResult;

const MOVED: OperationResult = { ok: true, rowsChecked: 42, lockedMs: 12.34 };
const allOk: Results = (operation) => (operation.kind === 'backup' ? { ok: true, backup: { path: '/backups/nova.dump', bytes: 4096, sha256: 'ab'.repeat(32) } } : MOVED);

/**
 * Runs the engine as the reconciler does: store the decision's status (the real rendering and a
 * merge patch), then run a step only when asked, from the status just stored. `crashAfter` stops
 * after that many steps were run without folding the last result in (a kill after the effect).
 */
function drive(sim: Sim, results: Results, options: { crashAfterRuns?: number; rounds?: number } = {}): DatabaseDecision | undefined {
  let result: { operation: SchemaOperation; result: OperationResult } | undefined;
  let last: DatabaseDecision | undefined;
  for (let round = 0; round < (options.rounds ?? 100); round++) {
    const decision = decideDatabase({ spec: SPEC, status: sim.status, now: sim.now, approvedStep: sim.approvedStep, ...(result === undefined ? {} : { result }) });
    result = undefined;
    sim.status = mergePatch(sim.status, renderStatus(decision.progress, sim.status, 1, sim.now)) as NovaMigrationStatus;
    sim.events.push(...decision.events);
    last = decision;
    sim.now += 100;
    if (decision.effect.type === 'wait') return decision;
    if (decision.effect.type === 'run') {
      sim.runs.push({ operation: decision.effect.operation, id: decision.effect.id, stored: structuredClone(sim.status.database) });
      if (options.crashAfterRuns !== undefined && sim.runs.length >= options.crashAfterRuns) return decision;
      result = { operation: decision.effect.operation, result: results(decision.effect.operation) };
    }
  }
  return last;
}

function sim(): Sim {
  return { status: {}, now: T0, events: [], runs: [] };
}

const states = (s: Sim) => (s.status.database?.contexts ?? []).map((c) => `${c.name}:${c.state}`);

describe('a database migration, step by step', () => {
  it('records each step\'s intent before it runs and its result after, and is Promoted when every context moved', () => {
    const s = sim();
    drive(s, allOk);
    // Held at the manual pause after the first move.
    expect(s.status).toMatchObject({ phase: 'Paused', currentStep: 2 });
    expect(s.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-move-user']);
    // Intent first: the backup was Running, user Moving, in the status stored when each ran.
    expect(s.runs[0]?.stored?.backup?.state).toBe('Running');
    expect(s.runs[1]?.stored?.contexts).toEqual([expect.objectContaining({ name: 'user', state: 'Moving' })]);
    expect(s.status.database?.backup).toMatchObject({ state: 'Done', path: '/backups/nova.dump', bytes: 4096, sha256: 'ab'.repeat(32) });
    expect(s.status.database?.contexts?.[0]).toMatchObject({ name: 'user', schema: 'user_service', state: 'Moved', rowsChecked: 42, lockedMs: 12.3 });
    s.approvedStep = 3;
    drive(s, allOk);
    expect(s.status.phase).toBe('Promoted');
    expect(states(s)).toEqual(['user:Moved', 'bot:Moved', 'payment:Moved']);
    expect(s.status.desiredWeight).toBeUndefined();
    expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Recorded' });
    const moved = s.events.filter((e) => e.reason === 'ContextMoved').map((e) => e.note);
    expect(moved).toHaveLength(3);
    expect(moved[0]).toMatch(/^user: tables moved into user_service and verified in \d+\.\d s, locks held 12 ms, 42 rows checked$/u);
    expect(s.events.find((e) => e.reason === 'BackupTaken')?.note).toMatch(/backup taken in .*: \/backups\/nova\.dump, 4096 bytes, sha256 abab/u);
  });

  it('after a kill between a step\'s intent and its result, runs the same step again (same id) and goes on', () => {
    const s = sim();
    drive(s, allOk, { crashAfterRuns: 2 }); // killed while moving user: its result never folded in
    expect(states(s)).toEqual(['user:Moving']);
    const before = s.runs.length;
    drive(s, allOk);
    expect(s.runs.slice(before).map((r) => r.id)).toEqual(['r0-move-user']);
    expect(states(s)).toEqual(['user:Moved']);
    // A kill while the backup ran re-runs the backup, not a move.
    const b = sim();
    drive(b, allOk, { crashAfterRuns: 1 });
    drive(b, allOk);
    expect(b.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-backup', 'r0-move-user']);
  });

  it('a failed verification rolls back: the engine reversed that context; the ones before it are reversed newest first, each recorded first', () => {
    const s = sim();
    s.approvedStep = 3;
    const results: Results = (operation) => (operation.kind === 'move' && operation.context === 'payment' ? { ok: false, name: 'VerificationFailedError', message: 'context payment_service: verification failed: invoices changed during the swap' } : allOk(operation));
    drive(s, results);
    expect(s.status.phase).toBe('RolledBack');
    expect(s.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-move-user', 'r0-move-bot', 'r0-move-payment', 'r0-reverse-bot', 'r0-reverse-user']);
    expect(s.runs[4]?.stored?.contexts?.find((c) => c.name === 'bot')?.state).toBe('Reversing');
    expect(states(s)).toEqual(['user:Reversed', 'bot:Reversed', 'payment:Reversed']);
    expect(s.status.database?.failure).toContain('invoices changed during the swap');
    expect(s.status.message).toContain('every context is back in public');
    expect(s.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['VerificationFailed', 'RolledBack']);
    expect(s.events.filter((e) => e.reason === 'ContextReversed').map((e) => e.note.split(':')[0])).toEqual(['bot', 'user']);
    expect(s.runs.some((r) => r.operation.kind === 'restore')).toBe(false);
  });

  it('restores the backup only when a reverse fails, recorded before it runs, and says so loudly', () => {
    const s = sim();
    s.approvedStep = 3;
    const results: Results = (operation) => {
      if (operation.kind === 'move' && operation.context === 'bot') return { ok: false, name: 'VerificationFailedError', message: 'bots changed during the swap' };
      if (operation.kind === 'reverse') return { ok: false, name: 'LockNotAvailableError', message: 'context user_service: no lock within 50 ms in 21 attempts; nothing was changed' };
      return allOk(operation);
    };
    drive(s, results);
    expect(s.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-move-user', 'r0-move-bot', 'r0-reverse-user', 'r0-restore']);
    expect(s.runs[4]?.stored?.restore?.state).toBe('Running');
    expect(s.status.database?.restore).toMatchObject({ state: 'Done' });
    expect(states(s)).toEqual(['user:Reversed', 'bot:Reversed']);
    const loud = s.events.find((e) => e.reason === 'RestoringBackup');
    expect(loud).toMatchObject({ type: 'Warning' });
    expect(loud?.note).toMatch(/THE LAST RESORT: the reverse of user_service failed .* restoring the WHOLE DATABASE from the backup \/backups\/nova\.dump .* every row written since then is LOST/u);
    expect(s.events.find((e) => e.reason === 'BackupRestored')).toMatchObject({ type: 'Warning' });
    expect(s.events.filter((e) => e.reason === 'RestoringBackup')).toHaveLength(1);
  });

  it('says the restore loudly with whichever run of it happens: an operator killed after recording its intent loses no warning', () => {
    const s = sim();
    s.approvedStep = 3;
    const results: Results = (operation) => {
      if (operation.kind === 'move' && operation.context === 'bot') return { ok: false, name: 'VerificationFailedError', message: 'user_bots changed during the swap' };
      if (operation.kind === 'reverse') return { ok: false, name: 'LockNotAvailableError', message: 'no lock within 50 ms in 21 attempts; nothing was changed' };
      return allOk(operation);
    };
    // Stopped when the reverse has failed and the restore's intent is stored, before the restore is
    // asked for: the Events of that round never posted, as when the operator dies right after the write.
    drive(s, results, { crashAfterRuns: 4 }); // the reverse asked for (killed before its result)
    drive(s, results, { rounds: 2 }); // run again, its failure folded: the restore's intent stored
    expect(s.status.database?.restore).toMatchObject({ state: 'Running' });
    expect(s.runs.some((r) => r.operation.kind === 'restore')).toBe(false);
    s.events.splice(0);
    drive(s, results);
    expect(s.runs.filter((r) => r.operation.kind === 'restore').map((r) => r.stored?.restore?.state)).toEqual(['Running']);
    expect(s.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['RestoringBackup', 'BackupRestored']);
    expect(s.events[0]?.note).toMatch(/^THE LAST RESORT: the reverse of user_service failed \(LockNotAvailableError: .*\); restoring the WHOLE DATABASE from the backup \/backups\/nova\.dump .* every row written since then is LOST$/u);
    expect(s.status.database?.restore).toMatchObject({ state: 'Done', message: expect.stringContaining('restored from the backup') });
  });

  it('a move that found the locks taken changed nothing: it stays Moving and runs again later', () => {
    const s = sim();
    let locked = true;
    const results: Results = (operation) => (operation.kind === 'move' && locked ? { ok: false, name: 'LockNotAvailableError', message: 'no lock within 50 ms in 21 attempts; nothing was changed' } : allOk(operation));
    const waiting = drive(s, results);
    expect(waiting?.effect).toEqual({ type: 'wait', afterMs: LOCKED_RETRY_MS });
    expect(states(s)).toEqual(['user:Moving']);
    expect(s.status.phase).toBe('Progressing');
    locked = false;
    drive(s, results);
    expect(states(s)).toEqual(['user:Moved']);
    // A new id for the second try: a Job that finished keeps its first result.
    expect(s.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-move-user', 'r0-move-user-a1']);
  });

  it('a move or a reverse that lost the database keeps its intent and runs again once it answers: no rollback, no restore', () => {
    const s = sim();
    s.approvedStep = 3;
    let down = true;
    const unavailable: OperationResult = { ok: false, name: 'DatabaseUnavailableError', message: 'the database is unavailable (terminating connection due to administrator command); run the step again once it answers' };
    const results: Results = (operation) => (operation.kind === 'move' && operation.context === 'bot' && down ? unavailable : allOk(operation));
    const waiting = drive(s, results);
    expect(waiting?.effect).toEqual({ type: 'wait', afterMs: UNAVAILABLE_RETRY_MS });
    expect([s.status.phase, ...states(s)]).toEqual(['Progressing', 'user:Moved', 'bot:Moving']);
    expect(s.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['DatabaseUnavailable']);
    down = false;
    drive(s, results);
    expect([s.status.phase, ...states(s)]).toEqual(['Promoted', 'user:Moved', 'bot:Moved', 'payment:Moved']);
    expect(s.runs.map((r) => r.id)).toEqual(['r0-backup', 'r0-move-user', 'r0-move-bot', 'r0-move-bot-a1', 'r0-move-payment']);
    // The same for a reverse during a rollback: tried again, never the restore.
    const r = sim();
    r.approvedStep = 3;
    let reverseDown = true;
    const rollback: Results = (operation) => {
      if (operation.kind === 'move' && operation.context === 'bot') return { ok: false, name: 'VerificationFailedError', message: 'user_bots changed during the swap' };
      if (operation.kind === 'reverse' && reverseDown) return unavailable;
      return allOk(operation);
    };
    drive(r, rollback);
    expect([r.status.phase, ...states(r)]).toEqual(['RolledBack', 'user:Reversing', 'bot:Reversed']);
    reverseDown = false;
    drive(r, rollback);
    expect(states(r)).toEqual(['user:Reversed', 'bot:Reversed']);
    expect(r.runs.map((run) => run.id)).toEqual(['r0-backup', 'r0-move-user', 'r0-move-bot', 'r0-reverse-user', 'r0-reverse-user-a1']);
    expect(r.status.database?.restore).toBeUndefined();
  });

  it('a retry after a rollback starts a new run: a new backup and new step ids, the old record cleared', () => {
    const s = sim();
    drive(s, (operation) => (operation.kind === 'move' ? { ok: false, name: 'VerificationFailedError', message: 'users changed' } : allOk(operation)));
    expect(s.status.phase).toBe('RolledBack');
    const decision = decideDatabase({ spec: SPEC, status: s.status, now: s.now, controls: { retry: 't1' } });
    s.status = mergePatch(s.status, renderStatus(decision.progress, s.status, 1, s.now)) as NovaMigrationStatus;
    expect(s.status.database).toEqual({ run: 1 });
    drive(s, allOk);
    expect(s.runs.slice(-2).map((r) => r.id)).toEqual(['r1-backup', 'r1-move-user']);
  });

  it('a move that failed otherwise leaves its context Moving, and the unwinding reverses it with the others', () => {
    const s = sim();
    s.approvedStep = 3;
    drive(s, (operation) => (operation.kind === 'move' && operation.context === 'bot' ? { ok: false, name: 'UnexpectedCatalogueError', message: 'user_bots is a table in both schemas' } : allOk(operation)));
    expect(s.status.phase).toBe('RolledBack');
    expect(s.runs.map((r) => r.id).slice(-2)).toEqual(['r0-reverse-bot', 'r0-reverse-user']);
    expect(s.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['MoveFailed', 'RolledBack']);
  });

  it('a move whose Job ran past its deadline (the Job runner\'s DeadlineExceeded) rolls back and reverses it with the others, newest first', () => {
    const s = sim();
    s.approvedStep = 3;
    drive(s, (operation) => (operation.kind === 'move' && operation.context === 'bot' ? { ok: false, name: 'DeadlineExceeded', message: 'Job stage-7-r0-move-bot ran past its deadline (activeDeadlineSeconds 600) and was stopped' } : allOk(operation)));
    expect(s.status.phase).toBe('RolledBack');
    expect(s.status.database?.failure).toContain('DeadlineExceeded');
    expect(s.runs.map((r) => r.id).slice(-2)).toEqual(['r0-reverse-bot', 'r0-reverse-user']);
    expect(states(s)).toEqual(['user:Reversed', 'bot:Reversed']);
  });

  it('an analysis that reaches its failure limit rolls back and reverses what moved', () => {
    const spec: DatabaseSpec = { ...SPEC, steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { analysis: {} }, { moveSchema: { context: 'bot' } }], analysis: { interval: '1s', failureLimit: 2, errorLimit: 3, thresholds: { errorRateRatio: 1.5, maxErrorRate: 0.001, p95LatencyMs: 200, minRequests: 50 } } };
    let status: NovaMigrationStatus = {};
    let now = T0;
    const ids: string[] = [];
    const failing = { kind: 'check' as const, at: 0, verdict: { result: 'Fail' as const, failed: ['error rate 5.00% > maxErrorRate 0.10%'], notes: [], summary: 'Failed' }, target: { requests: 100, errors: 5, p95LatencyMs: 30 }, legacy: { requests: 0, errors: 0, p95LatencyMs: undefined } };
    let result: { operation: SchemaOperation; result: OperationResult } | undefined;
    const events: EngineEvent[] = [];
    for (let round = 0; round < 60; round++) {
      const atAnalysis = status.currentStep === 2 && status.phase !== 'RolledBack';
      const decision = decideDatabase({ spec, status, now, ...(atAnalysis && result === undefined ? { analysis: { ...failing, at: now } } : {}), ...(result === undefined ? {} : { result }) });
      result = undefined;
      status = mergePatch(status, renderStatus(decision.progress, status, 1, now)) as NovaMigrationStatus;
      events.push(...decision.events);
      now += 1_000;
      if (decision.effect.type === 'run') {
        ids.push(decision.effect.id);
        result = { operation: decision.effect.operation, result: allOk(decision.effect.operation) };
      }
      if (decision.effect.type === 'wait' && status.phase === 'RolledBack') break;
    }
    expect(status.phase).toBe('RolledBack');
    expect(ids).toEqual(['r0-backup', 'r0-move-user', 'r0-reverse-user']);
    expect(status.database?.failure).toMatch(/^the analysis failed: rolled back after 2 failed checks/u);
    expect(events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['AnalysisFailed', 'AnalysisFailed', 'RolledBack']);
  });
});
