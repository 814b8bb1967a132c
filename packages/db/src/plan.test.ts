import { describe, expect, it } from '@jest/globals';
import { migrationChecksum } from './checksum.js';
import { ChecksumMismatchError, InvalidSchemaNameError, UnfinishedMigrationError } from './errors.js';
import { historyTableDdl, quoteSchema, type HistoryRow } from './history.js';
import type { MigrationFile } from './migrations-dir.js';
import { planMigrations } from './plan.js';

const file = (name: string, script: string): MigrationFile => ({ name, script, checksum: migrationChecksum(script) });
const row = (name: string, script: string, overrides: Partial<HistoryRow> = {}): HistoryRow => ({
  id: `id-${name}`,
  checksum: migrationChecksum(script),
  finishedAt: new Date(),
  migrationName: name,
  logs: null,
  rolledBackAt: null,
  startedAt: new Date(),
  appliedStepsCount: 1,
  ...overrides,
});

const a = file('1_a', 'CREATE TABLE a ();');
const b = file('2_b', 'CREATE TABLE b ();');

describe('planMigrations', () => {
  it('applies everything on an empty history, in order', () => {
    expect(planMigrations('s', [a, b], [])).toEqual({ pending: [a, b], alreadyApplied: [], missingLocally: [] });
  });

  it('skips applied migrations whose files are unchanged', () => {
    const plan = planMigrations('s', [a, b], [row('1_a', a.script)]);
    expect(plan.pending.map((m) => m.name)).toEqual(['2_b']);
    expect(plan.alreadyApplied).toEqual(['1_a']);
  });

  it('refuses when an applied file changed, naming it, before planning anything', () => {
    const call = (): unknown => planMigrations('user_service', [a, b], [row('1_a', 'CREATE TABLE a (x INT);')]);
    expect(call).toThrow(ChecksumMismatchError);
    expect(call).toThrow(/migration 1_a in schema user_service was changed after it was applied/);
  });

  it('re-applies a rolled-back migration and refuses an unfinished one', () => {
    const rolledBack = row('1_a', a.script, { rolledBackAt: new Date(), finishedAt: null });
    expect(planMigrations('s', [a], [rolledBack]).pending).toEqual([a]);
    const unfinished = row('1_a', a.script, { finishedAt: null, logs: 'syntax error' });
    expect(() => planMigrations('s', [a], [unfinished])).toThrow(UnfinishedMigrationError);
  });

  it('reports applied migrations missing from the folder without refusing', () => {
    const plan = planMigrations('s', [a], [row('1_a', a.script), row('3_c', 'x')]);
    expect(plan).toEqual({ pending: [], alreadyApplied: ['1_a'], missingLocally: ['3_c'] });
  });
});

describe('schema names', () => {
  it('quotes plain identifiers and refuses anything else', () => {
    expect(quoteSchema('user_service')).toBe('"user_service"');
    for (const bad of ['User', 'a"; DROP SCHEMA public; --', '', '1abc', 'x'.repeat(64)]) {
      expect(() => quoteSchema(bad)).toThrow(InvalidSchemaNameError);
    }
  });

  it('the history table has Prisma\'s columns in Prisma\'s order', () => {
    const columns = [...historyTableDdl('s').matchAll(/^\s+(\w+)\s+[A-Z]/gm)].map((match) => match[1]);
    expect(columns).toEqual(['id', 'checksum', 'finished_at', 'migration_name', 'logs', 'rolled_back_at', 'started_at', 'applied_steps_count']);
  });
});
