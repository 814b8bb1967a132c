/** Naming custom resources and objects the way the runtime's writers and the work queue need. */
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export class IncompleteObjectError extends Error {
  constructor(what: string, missing: string) {
    super(`${what} has no ${missing}`);
    this.name = 'IncompleteObjectError';
  }
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The collection's URL path, for informers. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const root = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return namespace === undefined ? `${root}/${type.plural}` : `${root}/namespaces/${namespace}/${type.plural}`;
}

/** 'namespace/name', the work queue's key (client-go's MetaNamespaceKeyFunc). */
export function queueKey(object: KubernetesObject | ObjectKey): string {
  const { namespace, name } = isObjectKey(object) ? object : keyOf(object);
  return namespace === '' ? name : `${namespace}/${name}`;
}

function isObjectKey(value: KubernetesObject | ObjectKey): value is ObjectKey {
  return typeof (value as Partial<ObjectKey>).name === 'string' && !('metadata' in value);
}

export function parseQueueKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function keyOf(object: KubernetesObject): ObjectKey {
  const name = object.metadata?.name;
  if (name === undefined || name === '') throw new IncompleteObjectError(`a ${object.kind ?? 'object'}`, 'metadata.name');
  return { namespace: object.metadata?.namespace ?? '', name };
}

export function describeObject(type: Pick<ResourceType, 'kind'>, key: ObjectKey): string {
  return key.namespace === '' ? `${type.kind} ${key.name}` : `${type.kind} ${key.namespace}/${key.name}`;
}
