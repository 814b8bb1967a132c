/**
 * The weighted pair legacy / target inside one route's list of backends, shared by the Istio
 * (`route[].destination`) and Gateway API (`backendRefs[]`) providers: each tells how to
 * recognise and build an entry, this file decides the weights.
 */
import { InvalidProviderConfigError } from './errors.js';
import type { JsonObject } from './json.js';
import type { ProviderMigration, ServiceRef, WeightReading } from './provider.js';

export interface BackendDialect {
  /** Which service an entry sends to, as written in the object. */
  describe(entry: JsonObject): string;
  /** Whether an entry sends to `ref`. */
  matches(entry: JsonObject, ref: ServiceRef): boolean;
  /** A fresh entry for `ref`. */
  create(ref: ServiceRef): JsonObject;
  /** The entry's weight as written, undefined when absent. */
  weight(entry: JsonObject): number | undefined;
  /** The weight an absent `weight` means when the list has `count` entries. */
  defaultWeight(count: number): number;
}

interface Pair {
  readonly legacy?: JsonObject;
  readonly target?: JsonObject;
}

/** Finds legacy and target in `entries`; anything else there means the route is not ours to split. */
function pair(migration: ProviderMigration, where: string, entries: readonly JsonObject[], dialect: BackendDialect): Pair {
  let legacy: JsonObject | undefined;
  let target: JsonObject | undefined;
  for (const entry of entries) {
    if (legacy === undefined && dialect.matches(entry, migration.legacy)) legacy = entry;
    else if (target === undefined && dialect.matches(entry, migration.target)) target = entry;
    else {
      throw new InvalidProviderConfigError(
        migration,
        `${where} also sends traffic to ${dialect.describe(entry)}, which is neither legacy ` +
          `(${migration.legacy.service}:${migration.legacy.port}) nor target (${migration.target.service}:${migration.target.port}); ` +
          'move that backend to another route or remove it',
      );
    }
  }
  return { legacy, target };
}

/**
 * The entries after setting `weight`: legacy gets 100 - weight and target weight. Every other
 * field of an existing entry (headers, subset, filters) is kept.
 */
export function weightedEntries(
  migration: ProviderMigration,
  where: string,
  entries: readonly JsonObject[],
  weight: number,
  dialect: BackendDialect,
): JsonObject[] {
  const { legacy, target } = pair(migration, where, entries, dialect);
  return [
    { ...(legacy ?? dialect.create(migration.legacy)), weight: 100 - weight },
    { ...(target ?? dialect.create(migration.target)), weight },
  ];
}

/** The entries for "100 % legacy": the target entry is dropped, so a deleted target service no longer matters. */
export function legacyOnlyEntries(
  migration: ProviderMigration,
  where: string,
  entries: readonly JsonObject[],
  dialect: BackendDialect,
): JsonObject[] {
  const { legacy } = pair(migration, where, entries, dialect);
  return [{ ...(legacy ?? dialect.create(migration.legacy)), weight: 100 }];
}

/** The target's share of the route's traffic as the data plane will apply it. */
export function readPair(
  migration: ProviderMigration,
  where: string,
  entries: readonly JsonObject[],
  dialect: BackendDialect,
): WeightReading {
  const { legacy, target } = pair(migration, where, entries, dialect);
  const fallback = dialect.defaultWeight(entries.length);
  const legacyWeight = legacy === undefined ? 0 : (dialect.weight(legacy) ?? fallback);
  const targetWeight = target === undefined ? 0 : (dialect.weight(target) ?? fallback);
  const total = legacyWeight + targetWeight;
  if (total <= 0) return { weight: 0, exact: false };
  return {
    weight: Math.round((100 * targetWeight) / total),
    exact: legacyWeight + targetWeight === 100 && Number.isInteger(targetWeight),
  };
}
