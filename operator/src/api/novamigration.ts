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
