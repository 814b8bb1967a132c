/**
 * Which migrations name a given one in `spec.dependsOn`: an index kept in step with the
 * migrations' informer (its add, update and delete events), so that an event about a migration
 * finds the migrations waiting for it in O(their number).
 *
 * Before, each migration event scanned every cached migration (`dependantKeys` over
 * `informer.list()`, which also copies the whole cache into an array): O(N) per event, and O(N²)
 * when a new leader enqueues every migration at once (bench/README.md, resync after a restart).
 */
import type { NovaMigration } from '../api/novamigration.js';

export class DependantsIndex {
  /** "namespace/name" of a dependency → keys of the migrations that name it. */
  private readonly dependants = new Map<string, Set<string>>();
  /** Key of a migration → the dependency keys it is filed under now (to undo them on its next version). */
  private readonly filedUnder = new Map<string, readonly string[]>();

  /** Files `migration` under each migration its dependsOn names (an add or an update). */
  upsert(migration: NovaMigration): void {
    const namespace = migration.metadata?.namespace ?? '';
    const self = keyOf(namespace, migration.metadata?.name ?? '');
    const next = [...new Set((migration.spec.dependsOn ?? []).map((name) => keyOf(namespace, name)))];
    const previous = this.filedUnder.get(self) ?? [];
    if (sameKeys(previous, next)) return;
    this.unfile(self, previous);
    for (const dependency of next) {
      let set = this.dependants.get(dependency);
      if (set === undefined) {
        set = new Set();
        this.dependants.set(dependency, set);
      }
      set.add(self);
    }
    if (next.length === 0) this.filedUnder.delete(self);
    else this.filedUnder.set(self, next);
  }

  /** Forgets `migration` as a dependant (a delete). Migrations that name it stay filed under it. */
  remove(migration: NovaMigration): void {
    const self = keyOf(migration.metadata?.namespace ?? '', migration.metadata?.name ?? '');
    this.unfile(self, this.filedUnder.get(self) ?? []);
    this.filedUnder.delete(self);
  }

  /** Keys ("namespace/name") of the migrations in `namespace` whose dependsOn names `name`. */
  dependantKeys(namespace: string, name: string): string[] {
    return [...(this.dependants.get(keyOf(namespace, name)) ?? [])];
  }

  /** How many dependency names are filed (for tests: nothing is kept for migrations gone). */
  get size(): number {
    return this.dependants.size;
  }

  private unfile(self: string, dependencies: readonly string[]): void {
    for (const dependency of dependencies) {
      const set = this.dependants.get(dependency);
      if (set === undefined) continue;
      set.delete(self);
      if (set.size === 0) this.dependants.delete(dependency);
    }
  }
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}
