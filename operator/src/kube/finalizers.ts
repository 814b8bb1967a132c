/**
 * Adds and removes one finalizer with a JSON patch that first tests the object's
 * resourceVersion: the patch applies to exactly the object we looked at, so a finalizer another
 * controller added meanwhile is never dropped (a merge patch of the whole list would clobber it).
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, isStale, KubeOperationError } from './api-errors.js';
import { describeObject, keyOf, type ResourceType } from './resource.js';
import { ObjectGoneError, StaleObjectError } from './status-writer.js';

type Operation = { op: 'test' | 'add'; path: string; value: unknown } | { op: 'remove'; path: string };

export function hasFinalizer(object: KubernetesObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function isBeingDeleted(object: KubernetesObject): boolean {
  return object.metadata?.deletionTimestamp !== undefined;
}

export class Finalizers {
  private readonly api: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    readonly type: ResourceType,
    private readonly fieldManager = 'nova-operator',
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Returns the stored object with the finalizer (unchanged if it already had it). */
  async add<T extends KubernetesObject>(object: T, finalizer: string): Promise<T> {
    if (hasFinalizer(object, finalizer)) return object;
    const current = object.metadata?.finalizers;
    const ops: Operation[] = [this.pin(object)];
    ops.push(
      current === undefined
        ? { op: 'add', path: '/metadata/finalizers', value: [finalizer] }
        : { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
    );
    return this.patch(object, ops);
  }

  /** Returns the stored object without the finalizer; the apiserver may delete it right after. */
  async remove<T extends KubernetesObject>(object: T, finalizer: string): Promise<T> {
    const index = object.metadata?.finalizers?.indexOf(finalizer) ?? -1;
    if (index < 0) return object;
    const path = `/metadata/finalizers/${index}`;
    return this.patch(object, [this.pin(object), { op: 'test', path, value: finalizer }, { op: 'remove', path }]);
  }

  private pin(object: KubernetesObject): Operation {
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion === undefined) {
      throw new KubeOperationError('finalizer patch of', describeObject(this.type, keyOf(object)), new Error('the object has no resourceVersion'));
    }
    return { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion };
  }

  private async patch<T extends KubernetesObject>(object: T, body: Operation[]): Promise<T> {
    const key = keyOf(object);
    const target = describeObject(this.type, key);
    const { group, version, plural } = this.type;
    try {
      const stored: unknown = await this.api.patchNamespacedCustomObject(
        { group, version, plural, namespace: key.namespace, name: key.name, body, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      return stored as T;
    } catch (error) {
      if (isStale(error)) throw new StaleObjectError(target, error);
      if (isNotFound(error)) throw new ObjectGoneError(target, error);
      throw new KubeOperationError('finalizer patch of', target, error);
    }
  }
}
