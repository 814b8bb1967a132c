/**
 * One step of a database migration as a runner carries it out, and what came back. The operator
 * decides (status first), a runner runs `nova-schema-move` with the migration login — a Job in a
 * cluster, a process on one machine — and only this result comes back: never the login.
 */
import type { DatabaseMigration } from '../api/novamigration.js';

export type SchemaOperation =
  | { readonly kind: 'backup' }
  | { readonly kind: 'move'; readonly context: string }
  | { readonly kind: 'reverse'; readonly context: string }
  | { readonly kind: 'restore' };

export interface BackupRecord {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export type OperationResult =
  | {
      readonly ok: true;
      readonly backup?: BackupRecord;
      /** Rows the verification counted and checksummed (table and view, this context). */
      readonly rowsChecked?: number;
      /** How long the swap held its locks: what a writer of the context waited at most. */
      readonly lockedMs?: number;
    }
  | {
      readonly ok: false;
      /** The CLI's error name (VerificationFailedError, LockNotAvailableError, ...) and message, scrubbed. */
      readonly name: string;
      readonly message: string;
    };

/** The move plan the CLI takes (`--plan-json`), as @nova/schema-move's MovePlan: names only, no secret. */
export interface PlanJson {
  readonly legacySchema: string;
  readonly legacyRole?: string;
  readonly contexts: readonly { readonly schema: string; readonly tables: readonly string[]; readonly role?: string }[];
}

export function planOf(migration: DatabaseMigration): PlanJson {
  const database = migration.spec.database;
  return {
    legacySchema: database.legacySchema,
    ...(database.legacyLogin === undefined ? {} : { legacyRole: database.legacyLogin }),
    contexts: database.contexts.map((c) => ({ schema: c.schema, tables: [...c.tables], ...(c.login === undefined ? {} : { role: c.login }) })),
  };
}

export interface RunRequest {
  readonly migration: DatabaseMigration;
  readonly operation: SchemaOperation;
  /** Unique per run of the migration and step (a Job's name); the same after a restart. */
  readonly id: string;
  /** For restore: the backup to restore, as status recorded it. */
  readonly backup?: BackupRecord;
}

export type RunOutcome =
  | { readonly state: 'finished'; readonly result: OperationResult }
  /** Still running elsewhere (a Job): look again later. */
  | { readonly state: 'running'; readonly checkAfterMs: number };

export interface SchemaMoveRunner {
  run(request: RunRequest, signal: AbortSignal): Promise<RunOutcome>;
}

/** The runner could not be used at all (not configured, a Job refused): retried with backoff, reported in status. */
export class SchemaMoveRunnerError extends Error {
  override readonly name = 'SchemaMoveRunnerError';
}

/** The operator has no way to run a database step (no runner configured, no spec.database.job). Fatal until fixed. */
export class SchemaMoveRunnerConfigError extends Error {
  override readonly name = 'SchemaMoveRunnerConfigError';
}

/** The CLI's arguments for an operation (the plan and the database URL are passed separately). */
export function cliArguments(request: RunRequest, backupDir: string): string[] {
  const { operation, migration } = request;
  const schema = (name: string) => migration.spec.database.contexts.find((c) => c.name === name)?.schema ?? name;
  const tuning = ['--lock-timeout-ms', String(lockTimeoutMs(migration.spec.database.lockTimeout)), '--retries', String(migration.spec.database.retries)];
  switch (operation.kind) {
    case 'backup':
      return ['backup', '--dir', backupDir];
    case 'move':
      return ['move', '--context', schema(operation.context), ...tuning];
    case 'reverse':
      return ['reverse', '--context', schema(operation.context), ...tuning];
    case 'restore':
      if (request.backup === undefined) throw new SchemaMoveRunnerConfigError('restore needs a backup, and none was recorded');
      return ['restore', '--file', request.backup.path, '--sha256', request.backup.sha256];
  }
}

function lockTimeoutMs(text: string): number {
  const match = /^(\d+)(ms|s)$/u.exec(text);
  if (match === null) return 50;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

interface CliVerification {
  readonly tables?: readonly { readonly live?: { readonly rows?: number } }[];
}

interface CliStep {
  readonly swap?: { readonly lockedMs?: number };
  readonly verification?: CliVerification;
}

/**
 * The CLI's one JSON line, as an OperationResult. Anything else (no line, not JSON) is an error
 * result naming what came instead, so a crash of the CLI is a failed step, never a pass.
 */
export function parseCliResult(operation: SchemaOperation, text: string): OperationResult {
  const line = text.trim().split('\n').at(-1) ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { ok: false, name: 'NoResult', message: `nova-schema-move gave no JSON result (${line === '' ? 'nothing' : `"${line.slice(0, 200)}"`})` };
  }
  if (parsed.ok !== true) {
    const error = (parsed.error ?? {}) as { name?: unknown; message?: unknown };
    return { ok: false, name: typeof error.name === 'string' ? error.name : 'Error', message: typeof error.message === 'string' ? error.message : 'nova-schema-move failed without a message' };
  }
  switch (operation.kind) {
    case 'backup': {
      const backup = parsed.backup as Partial<BackupRecord> | undefined;
      if (typeof backup?.path !== 'string' || typeof backup.bytes !== 'number' || typeof backup.sha256 !== 'string') return { ok: false, name: 'NoResult', message: 'nova-schema-move backup gave no path, size and sha256' };
      return { ok: true, backup: { path: backup.path, bytes: backup.bytes, sha256: backup.sha256 } };
    }
    case 'move':
    case 'reverse': {
      const steps = (operation.kind === 'move' ? parsed.moved : parsed.reversed) as readonly CliStep[] | undefined;
      const step = steps?.[0];
      const rows = (step?.verification?.tables ?? []).reduce((sum, table) => sum + (table.live?.rows ?? 0), 0);
      return { ok: true, rowsChecked: rows, ...(step?.swap?.lockedMs === undefined ? {} : { lockedMs: step.swap.lockedMs }) };
    }
    case 'restore':
      return { ok: true };
  }
}

/** Removes every occurrence of each secret (a URL, its password) from text a runner passes on. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join('***');
  return result;
}
