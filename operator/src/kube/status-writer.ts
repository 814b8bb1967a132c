/**
 * Writes a custom resource's status through its /status subresource with a JSON merge patch, so
 * the spec is never touched and RBAC can grant status writes separately. `observedGeneration`
 * defaults to the generation of the object the status was computed from, and by default the
 * write is conditional on that object's resourceVersion: a status computed from a stale read is
 * refused (StaleObjectError) instead of overwriting what a newer reconcile wrote.
 *
 * Merge patch replaces arrays whole, so callers send the complete `conditions` list (see
 * setCondition), which is exactly right under the resourceVersion precondition.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, isStale, KubeOperationError } from './api-errors.js';
import { describeObject, keyOf, type ResourceType } from './resource.js';

export class StaleObjectError extends Error {
  constructor(readonly target: string, cause: unknown) {
    super(`${target} changed since it was read; read it again and recompute`, { cause });
    this.name = 'StaleObjectError';
  }
}

export class ObjectGoneError extends Error {
  constructor(readonly target: string, cause: unknown) {
    super(`${target} no longer exists`, { cause });
    this.name = 'ObjectGoneError';
  }
}

export interface StatusWriteOptions {
  /** Default true: refuse the write when the object changed since `object` was read. */
  readonly precondition?: boolean;
}

export type StatusBody = Readonly<Record<string, unknown>>;

export class StatusWriter {
  private readonly api: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    readonly type: ResourceType,
    private readonly fieldManager = 'nova-operator',
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Merges `status` into the object's status; returns the object as stored afterwards. */
  async write<T extends KubernetesObject>(object: T, status: StatusBody, options: StatusWriteOptions = {}): Promise<T> {
    const key = keyOf(object);
    const target = describeObject(this.type, key);
    const generation = object.metadata?.generation;
    const body: Record<string, unknown> = {
      status: generation === undefined || 'observedGeneration' in status ? status : { observedGeneration: generation, ...status },
    };
    if (options.precondition ?? true) {
      const resourceVersion = object.metadata?.resourceVersion;
      if (resourceVersion === undefined) throw new KubeOperationError('status write to', target, new Error('the object has no resourceVersion to pin the write to'));
      body.metadata = { resourceVersion };
    }
    const { group, version, plural } = this.type;
    try {
      const stored: unknown = await this.api.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace: key.namespace, name: key.name, body, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return stored as T;
    } catch (error) {
      if (isStale(error)) throw new StaleObjectError(target, error);
      if (isNotFound(error)) throw new ObjectGoneError(target, error);
      throw new KubeOperationError('status write to', target, error);
    }
  }
}
