/** The NovaMigration object as the operator handles it; its spec and status types are generated from the CRD. */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from '../kube/resource.js';
import { GROUP, KIND, PLURAL, VERSION, type NovaMigrationSpec, type NovaMigrationStatus } from './generated/novamigration.js';

export type { NovaMigrationSpec, NovaMigrationStatus } from './generated/novamigration.js';

export interface NovaMigration extends KubernetesObject {
  spec: NovaMigrationSpec;
  status?: NovaMigrationStatus;
}

/** A migration that moves traffic (spec.trafficProvider): legacy, target and the provider are there (the CRD's CEL rules). */
export type TrafficSpec = NovaMigrationSpec & {
  readonly legacy: NonNullable<NovaMigrationSpec['legacy']>;
  readonly target: NonNullable<NovaMigrationSpec['target']>;
  readonly trafficProvider: NonNullable<NovaMigrationSpec['trafficProvider']>;
};

export interface TrafficMigration extends NovaMigration {
  spec: TrafficSpec;
}

/** A migration that moves tables (spec.database, stage 7). */
export type DatabaseSpec = NovaMigrationSpec & { readonly database: NonNullable<NovaMigrationSpec['database']> };

export interface DatabaseMigration extends NovaMigration {
  spec: DatabaseSpec;
}

export function isDatabaseMigration(migration: NovaMigration): migration is DatabaseMigration {
  return migration.spec.database !== undefined;
}

/**
 * Admission guarantees legacy, target and trafficProvider on every migration without spec.database;
 * an object stored under an older schema or with validation off that lacks them is refused loudly.
 */
export function isTrafficMigration(migration: NovaMigration): migration is TrafficMigration {
  const spec = migration.spec;
  return spec.database === undefined && spec.trafficProvider !== undefined && spec.legacy !== undefined && spec.target !== undefined;
}

/** A stored migration whose spec the CRD's rules should have refused (validation off, an older schema). */
export class InvalidSpecError extends Error {
  override readonly name = 'InvalidSpecError';
  constructor(readonly migration: string, problem: string) {
    super(`migration ${migration}: ${problem}`);
  }
}

/** The migration as a traffic migration, or InvalidSpecError (fatal: it waits for a spec change). */
export function asTrafficMigration(migration: NovaMigration): TrafficMigration {
  if (isTrafficMigration(migration)) return migration;
  const key = `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
  throw new InvalidSpecError(key, 'a migration without spec.database needs spec.trafficProvider, spec.legacy and spec.target');
}

export const NOVA_MIGRATION: ResourceType = { group: GROUP, version: VERSION, plural: PLURAL, kind: KIND };

/** The finalizer that lets the operator restore (or leave) the route before a migration disappears. */
export const MIGRATION_FINALIZER = 'novabot.io/route-cleanup';

/**
 * What a migration moves, for people: its HTTP route (`bot.example.com/webhook/`), or on the bus
 * the chats of a context (`the user context's chats`).
 */
export function movedThing(spec: Pick<NovaMigrationSpec, 'route' | 'trafficProvider' | 'database'>): string {
  if (spec.database !== undefined) return `the tables of ${spec.database.contexts.map((c) => c.name).join(', ')}`;
  const context = spec.trafficProvider?.nats?.context;
  if (context !== undefined) return `the ${context} context's chats`;
  if (spec.route === undefined) return 'the route';
  return `${spec.route.host ?? ''}${spec.route.pathPrefix}`;
}
