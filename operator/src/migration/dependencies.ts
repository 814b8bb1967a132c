/** `spec.dependsOn`: the stages that must be Promoted before this one moves any traffic. */
import type { NovaMigration } from '../api/novamigration.js';
import type { DependencyState } from './engine.js';

export type Lookup = (namespace: string, name: string) => NovaMigration | undefined;

/** "stage-1 (Progressing)", "stage-0 (not found)" for each dependency not Promoted; rolled-back ones by name too. */
export function dependencyState(migration: NovaMigration, lookup: Lookup): DependencyState {
  const namespace = migration.metadata?.namespace ?? '';
  const unmet: string[] = [];
  const rolledBack: string[] = [];
  for (const name of migration.spec.dependsOn ?? []) {
    const phase = lookup(namespace, name)?.status?.phase;
    if (phase !== 'Promoted') unmet.push(`${name} (${phase ?? 'not found'})`);
    if (phase === 'RolledBack') rolledBack.push(name);
  }
  return { unmet, rolledBack };
}

/** Keys of the migrations in `namespace` that name `name` in their dependsOn: they look again when it changes. */
export function dependantKeys(all: readonly NovaMigration[], namespace: string, name: string): string[] {
  return all
    .filter((candidate) => candidate.metadata?.namespace === namespace && (candidate.spec.dependsOn ?? []).includes(name))
    .map((candidate) => `${namespace}/${candidate.metadata?.name ?? ''}`);
}
