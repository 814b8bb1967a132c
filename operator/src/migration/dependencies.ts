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

/**
 * The dependency cycle through `migration`, if its dependsOn leads back to it: the names in order,
 * first and last the migration's own (["a", "b", "a"]). Every migration of a cycle waits for the
 * next to be Promoted, so none can ever start: the reconciler reports it instead of waiting.
 * A migration that only depends on a cycle is not in one: it waits, and the cycle's members say why.
 */
export function dependencyCycle(migration: NovaMigration, lookup: Lookup): string[] | undefined {
  const namespace = migration.metadata?.namespace ?? '';
  const self = migration.metadata?.name ?? '';
  const visited = new Set<string>();
  // Depth-first from the migration's own dependencies; `path` is the chain from it to `name`.
  const search = (name: string, path: readonly string[]): string[] | undefined => {
    if (name === self) return [...path, name];
    if (visited.has(name)) return undefined;
    visited.add(name);
    for (const dependency of lookup(namespace, name)?.spec.dependsOn ?? []) {
      const found = search(dependency, [...path, name]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const dependency of migration.spec.dependsOn ?? []) {
    const found = search(dependency, [self]);
    if (found !== undefined) return found;
  }
  return undefined;
}
