/**
 * pause, resume, promote, abort, retry: each writes annotations only (the operator's contract in
 * migration/controls.ts), refuses what cannot apply to the migration's phase with a clear error,
 * and then waits briefly for the operator to act so the person sees the outcome.
 */
import type { NovaMigration } from '../api/novamigration.js';
import { APPROVED_STEP_ANNOTATION, CONTROL_ANNOTATIONS, PAUSED_ANNOTATION, type ControlVerb } from '../migration/controls.js';
import { CliError, type MigrationClient } from './client.js';

export interface VerbResult {
  readonly message: string;
  readonly migration: NovaMigration;
}

const ACK_TIMEOUT_MS = 15_000;

export async function pause(client: MigrationClient, name: string): Promise<VerbResult> {
  const migration = await client.get(name);
  const phase = migration.status?.phase ?? 'Pending';
  if (phase === 'Promoted' || phase === 'RolledBack') throw new CliError(`${name} is ${phase}: nothing moves, nothing to pause`);
  if (migration.metadata?.annotations?.[PAUSED_ANNOTATION] === 'true') return { message: `${name} is already paused`, migration };
  await client.annotate(name, { [PAUSED_ANNOTATION]: 'true' });
  const held = await settle(client, name, (m) => m.status?.phase === 'Paused');
  return { message: `${name} paused at ${held.status?.stepLabel ?? '-'} with ${String(held.status?.weight ?? 0)}% on the target`, migration: held };
}

export async function resume(client: MigrationClient, name: string): Promise<VerbResult> {
  const migration = await client.get(name);
  const status = migration.status ?? {};
  const annotations: Record<string, string | null> = {};
  const did: string[] = [];
  if (migration.metadata?.annotations?.[PAUSED_ANNOTATION] !== undefined) {
    annotations[PAUSED_ANNOTATION] = null;
    did.push('pause lifted');
  }
  const awaiting = status.phase === 'Paused' && status.conditions?.some((condition) => condition.type === 'Paused' && condition.reason === 'AwaitingApproval') === true;
  if (awaiting && status.currentStep !== undefined) {
    // The token makes this approval differ from one given before a retry (which no longer counts).
    annotations[APPROVED_STEP_ANNOTATION] = `${String(status.currentStep + 1)}@${new Date().toISOString()}`;
    did.push(`step ${String(status.currentStep + 1)} approved`);
  }
  if (did.length === 0) {
    const why = migration.spec.paused ? 'it is held by spec.paused: set it to false where the migration is declared (e.g. in Git)' : `it is ${status.phase ?? 'Pending'}${status.message === undefined ? '' : ` (${status.message})`}`;
    throw new CliError(`nothing to resume for ${name}: ${why}`);
  }
  await client.annotate(name, annotations);
  const moved = await settle(client, name, (m) => m.status?.phase !== 'Paused' || m.status.currentStep !== status.currentStep);
  const still = migration.spec.paused ? '; still held by spec.paused' : '';
  return { message: `${name}: ${did.join(', ')}${still}; now ${moved.status?.phase ?? '-'} at ${moved.status?.stepLabel ?? '-'}`, migration: moved };
}

/** promote, abort, retry: a one-shot request the operator records as handled in status.control. */
export async function request(client: MigrationClient, name: string, verb: ControlVerb): Promise<VerbResult> {
  const migration = await client.get(name);
  const phase = migration.status?.phase ?? 'Pending';
  if (verb === 'retry' && phase !== 'RolledBack') throw new CliError(`${name} is ${phase}: only a RolledBack migration can be retried`);
  if (verb === 'abort' && phase === 'RolledBack') throw new CliError(`${name} is already RolledBack`);
  if (verb === 'promote' && phase === 'RolledBack') throw new CliError(`${name} is RolledBack: retry it first (kubectl nova retry ${name})`);
  if (verb === 'promote' && phase === 'Promoted') throw new CliError(`${name} is already Promoted`);
  const token = new Date().toISOString();
  await client.annotate(name, { [CONTROL_ANNOTATIONS[verb]]: token });
  const acted = await settle(client, name, (m) => m.status?.control?.[verb] === token);
  if (acted.status?.control?.[verb] !== token) {
    return { message: `${verb} of ${name} requested; the operator has not acted on it yet (is it running?)`, migration: acted };
  }
  return { message: `${name}: ${verb} done; now ${acted.status.phase ?? '-'} with ${String(acted.status.desiredWeight ?? 0)}% on the target (${acted.status.message ?? ''})`, migration: acted };
}

/** Re-reads until `done` holds or the acknowledgement timeout passes; returns the last read. */
async function settle(client: MigrationClient, name: string, done: (migration: NovaMigration) => boolean): Promise<NovaMigration> {
  const deadline = Date.now() + ACK_TIMEOUT_MS;
  let migration = await client.get(name);
  while (!done(migration) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    migration = await client.get(name);
  }
  return migration;
}
