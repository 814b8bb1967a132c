/** The NovaMigration object as the operator handles it; its spec and status types are generated from the CRD. */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from '../kube/resource.js';
import { GROUP, KIND, PLURAL, VERSION, type NovaMigrationSpec, type NovaMigrationStatus } from './generated/novamigration.js';

export type { NovaMigrationSpec, NovaMigrationStatus } from './generated/novamigration.js';

export interface NovaMigration extends KubernetesObject {
  spec: NovaMigrationSpec;
  status?: NovaMigrationStatus;
}

export const NOVA_MIGRATION: ResourceType = { group: GROUP, version: VERSION, plural: PLURAL, kind: KIND };

/** The finalizer that lets the operator restore (or leave) the route before a migration disappears. */
export const MIGRATION_FINALIZER = 'novabot.io/route-cleanup';

/**
 * What a migration moves, for people: its HTTP route (`bot.example.com/webhook/`), or on the bus
 * the chats of a context (`the user context's chats`).
 */
export function movedThing(spec: Pick<NovaMigrationSpec, 'route' | 'trafficProvider'>): string {
  const context = spec.trafficProvider.nats?.context;
  if (context !== undefined) return `the ${context} context's chats`;
  if (spec.route === undefined) return 'the route';
  return `${spec.route.host ?? ''}${spec.route.pathPrefix}`;
}
