/**
 * The boundaries of a database migration's sequence, as its status records them, and the test bed's
 * hook that kills the operator at chosen ones (NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER, tests only:
 * accepted with the process runner alone, which a cluster does not use).
 *
 * A boundary is named by what one status write newly records:
 * - `backup:Running`, `backup:Done`, `restore:Running`, `restore:Done` (the backup's and restore's state);
 * - `<context>:<state>` for a context's record (`user:Moving`, `user:Moved`, `bot:Reversing`, ...);
 * - `step:<n>` when the migration enters step n (0-based, as `status.currentStep`);
 * - `phase:<phase>` when the phase changes (`phase:RolledBack`, `phase:Paused`, ...).
 * With the hook, the operator SIGKILLs itself right after the status write that records one of the
 * listed boundaries: the intent (or the result) is stored, nothing after it has run. Killed that way at
 * each boundary in turn, a sequence of operators must still converge (test/operator/migration-database-kills.test.ts).
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';

/** The boundaries `after` records that `before` did not. */
export function boundariesRecorded(before: NovaMigrationStatus, after: NovaMigrationStatus): string[] {
  const found: string[] = [];
  const was = before.database;
  const now = after.database;
  if (now?.backup?.state !== undefined && now.backup.state !== was?.backup?.state) found.push(`backup:${now.backup.state}`);
  if (now?.restore?.state !== undefined && now.restore.state !== was?.restore?.state) found.push(`restore:${now.restore.state}`);
  for (const context of now?.contexts ?? []) {
    const previous = (was?.contexts ?? []).find((c) => c.name === context.name);
    if (context.state !== previous?.state) found.push(`${context.name}:${context.state}`);
  }
  if (after.currentStep !== undefined && after.currentStep !== before.currentStep) found.push(`step:${String(after.currentStep)}`);
  if (after.phase !== undefined && after.phase !== before.phase) found.push(`phase:${after.phase}`);
  return found;
}

/** NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER: comma-separated boundary names; empty or unset: none. */
export function parseCrashPoints(text: string | undefined): ReadonlySet<string> {
  return new Set((text ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''));
}
