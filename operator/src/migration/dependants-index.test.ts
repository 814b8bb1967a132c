import { describe, expect, it } from '@jest/globals';
import type { NovaMigration } from '../api/novamigration.js';
import { DependantsIndex } from './dependants-index.js';

function migration(namespace: string, name: string, dependsOn?: readonly string[]): NovaMigration {
  return {
    apiVersion: 'novabot.io/v1alpha1',
    kind: 'NovaMigration',
    metadata: { namespace, name },
    spec: {
      route: { pathPrefix: `/${name}/` },
      legacy: { service: 'nova-monolith', port: 8099 },
      target: { service: `${name}-service`, port: 8100 },
      trafficProvider: { istio: { virtualService: 'nova' } },
      steps: [{ setWeight: 100 }],
      paused: false,
      onDelete: 'restoreLegacy',
      ...(dependsOn === undefined ? {} : { dependsOn: [...dependsOn] }),
    },
  };
}

/** What the index replaced: a scan of every migration, for comparison. */
function scanned(all: Iterable<NovaMigration>, namespace: string, name: string): string[] {
  return [...all].filter((m) => m.metadata?.namespace === namespace && (m.spec.dependsOn ?? []).includes(name)).map((m) => `${namespace}/${m.metadata?.name ?? ''}`);
}

describe('DependantsIndex', () => {
  it('finds the migrations that name one in dependsOn, in its namespace only', () => {
    const index = new DependantsIndex();
    index.upsert(migration('ns', 'stage-1'));
    index.upsert(migration('ns', 'stage-2', ['stage-1']));
    index.upsert(migration('ns', 'stage-3', ['stage-1', 'stage-2']));
    index.upsert(migration('other', 'stage-2', ['stage-1']));
    expect(index.dependantKeys('ns', 'stage-1').sort()).toEqual(['ns/stage-2', 'ns/stage-3']);
    expect(index.dependantKeys('ns', 'stage-2')).toEqual(['ns/stage-3']);
    expect(index.dependantKeys('ns', 'stage-3')).toEqual([]);
    expect(index.dependantKeys('other', 'stage-1')).toEqual(['other/stage-2']);
    // Named but never created: its dependants are still found (they wait for it to appear).
    index.upsert(migration('ns', 'stage-4', ['stage-0']));
    expect(index.dependantKeys('ns', 'stage-0')).toEqual(['ns/stage-4']);
  });

  it('follows an update that changes dependsOn, and forgets a deleted dependant', () => {
    const index = new DependantsIndex();
    index.upsert(migration('ns', 'b', ['a']));
    index.upsert(migration('ns', 'b', ['c']));
    expect(index.dependantKeys('ns', 'a')).toEqual([]);
    expect(index.dependantKeys('ns', 'c')).toEqual(['ns/b']);
    index.upsert(migration('ns', 'b', ['c', 'c']));
    expect(index.dependantKeys('ns', 'c')).toEqual(['ns/b']);
    index.upsert(migration('ns', 'b'));
    expect(index.dependantKeys('ns', 'c')).toEqual([]);
    index.upsert(migration('ns', 'b', ['a']));
    index.remove(migration('ns', 'b', ['a']));
    expect(index.dependantKeys('ns', 'a')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('keeps a dependency filed when the dependency itself is deleted: its dependants look again', () => {
    const index = new DependantsIndex();
    index.upsert(migration('ns', 'a'));
    index.upsert(migration('ns', 'b', ['a']));
    index.remove(migration('ns', 'a'));
    expect(index.dependantKeys('ns', 'a')).toEqual(['ns/b']);
  });

  it('answers as a scan of every migration would, after any sequence of adds, updates and deletes', () => {
    // A small deterministic generator (the same sequence on every run), read from its high bits:
    // an LCG's low bits repeat with a short period, which left most cases unvisited.
    let seed = 20;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 16) % n;
    };
    const names = Array.from({ length: 12 }, (_, i) => `m${String(i)}`);
    const namespaces = ['ns-a', 'ns-b'];
    const live = new Map<string, NovaMigration>();
    const index = new DependantsIndex();
    for (let event = 0; event < 600; event++) {
      const namespace = namespaces[random(namespaces.length)] ?? 'ns-a';
      const name = names[random(names.length)] ?? 'm0';
      const key = `${namespace}/${name}`;
      if (random(4) === 0) {
        const gone = live.get(key);
        if (gone !== undefined) index.remove(gone);
        live.delete(key);
      } else {
        const dependsOn = Array.from({ length: random(4) }, () => names[random(names.length)] ?? 'm0');
        const next = migration(namespace, name, dependsOn.length === 0 && random(2) === 0 ? undefined : dependsOn);
        live.set(key, next);
        index.upsert(next);
      }
      for (const ns of namespaces) {
        for (const n of names) expect(index.dependantKeys(ns, n).sort()).toEqual(scanned(live.values(), ns, n).sort());
      }
    }
  });
});
