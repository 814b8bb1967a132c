/**
 * ingress-nginx: a canary Ingress per migration, for the migration's path only, pointing at the
 * target service, with `nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight: "<w>"`.
 * The primary Ingress (`trafficProvider.ingressNginx.ingress`, serving legacy) is only read, never
 * written, so migrations on other paths of it are unaffected by construction.
 *
 * The canary belongs to one migration alone, so it is written with server-side apply under the
 * operator's field manager, forced: the operator is the authority on its own fields (a hand edit
 * of the weight is drift and is taken back), while labels or annotations added by others stay.
 * It carries an ownerReference to the NovaMigration so garbage collection removes it with the
 * migration; finalize('leaveAsIs') drops that reference first, or the collector would undo the
 * "leave as is" by deleting the canary (100 % legacy).
 */
import { NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Ingress } from '@kubernetes/client-node';
import { InvalidProviderConfigError, ProviderSetupError, RouteConflictError, RouteNotFoundError } from './errors.js';
import { apiFailure, isStaleWrite, translateApiError } from './kube-writes.js';
import { checkWeight, configString, httpRoute, managedName, type FinalizePolicy, type ProviderMigration, type TrafficProvider, type WeightReading } from './provider.js';
import type { ProviderContext } from './registry.js';

export const CANARY = 'nginx.ingress.kubernetes.io/canary';
export const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
export const CANARY_WEIGHT_TOTAL = 'nginx.ingress.kubernetes.io/canary-weight-total';
export const MIGRATION_OWNER = { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration' } as const;

/** The primary's rule and path for the migration's route: the canary copies host, path type and class. */
interface PrimaryRoute {
  readonly host: string | undefined;
  readonly pathType: string;
  readonly ingressClassName: string | undefined;
}

/** The parts of an Ingress the provider reads (V1Ingress fits; so does plain JSON in tests). */
export interface IngressView {
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly ingressClassName?: string;
    readonly rules?: readonly {
      readonly host?: string;
      readonly http?: { readonly paths: readonly { readonly path?: string; readonly pathType: string; readonly backend: { readonly service?: { readonly name: string; readonly port?: { readonly number?: number } } } }[] };
    }[];
  };
}

export function findPrimaryRoute(migration: ProviderMigration, primary: IngressView): PrimaryRoute {
  const label = `Ingress ${migration.namespace}/${primary.metadata?.name ?? '?'}`;
  const route = httpRoute(migration);
  for (const rule of primary.spec?.rules ?? []) {
    if (route.host !== undefined && rule.host !== undefined && rule.host !== route.host) continue;
    for (const path of rule.http?.paths ?? []) {
      if (path.path !== route.pathPrefix) continue;
      const service = path.backend.service;
      if (service?.name !== migration.legacy.service) {
        throw new InvalidProviderConfigError(
          migration,
          `${label} sends ${route.pathPrefix} to ${service?.name ?? 'a non-service backend'}, not to legacy ${migration.legacy.service}`,
        );
      }
      return { host: rule.host ?? route.host, pathType: path.pathType, ingressClassName: primary.spec?.ingressClassName };
    }
  }
  throw new InvalidProviderConfigError(
    migration,
    `${label} has no path ${route.pathPrefix}${route.host === undefined ? '' : ` for host ${route.host}`}; ` +
      'ingress-nginx applies a canary only where a primary Ingress serves the same host and path',
  );
}

/** Plain JSON shapes for what we send (the client's model classes are for what we read). */
export interface OwnerReferenceBody {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
}

export interface CanaryIngressBody {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'Ingress';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly OwnerReferenceBody[];
    /** Set when re-applying what was read: the apply is refused (409) if the canary changed since. */
    readonly resourceVersion?: string;
  };
  readonly spec: {
    readonly ingressClassName?: string;
    readonly rules: readonly {
      readonly host?: string;
      readonly http: {
        readonly paths: readonly {
          readonly path: string;
          readonly pathType: string;
          readonly backend: { readonly service: { readonly name: string; readonly port: { readonly number: number } } };
        }[];
      };
    }[];
  };
}

export function ownerReference(migration: ProviderMigration): OwnerReferenceBody {
  return { ...MIGRATION_OWNER, name: migration.name, uid: migration.uid, controller: true };
}

/** Everything the operator asserts about the canary; server-side apply makes the stored object match it. */
export function canaryIngress(migration: ProviderMigration, primary: PrimaryRoute, weight: number): CanaryIngressBody {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: managedName(migration),
      namespace: migration.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'nova-operator', 'novabot.io/migration-uid': migration.uid },
      annotations: { [CANARY]: 'true', [CANARY_WEIGHT]: String(weight), 'novabot.io/migration': migration.name },
      ownerReferences: [ownerReference(migration)],
    },
    spec: {
      ...(primary.ingressClassName === undefined ? {} : { ingressClassName: primary.ingressClassName }),
      rules: [
        {
          ...(primary.host === undefined ? {} : { host: primary.host }),
          http: {
            paths: [
              {
                path: httpRoute(migration).pathPrefix,
                pathType: primary.pathType,
                backend: { service: { name: migration.target.service, port: { number: migration.target.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

export function readCanaryWeight(canary: IngressView): WeightReading {
  const annotations = canary.metadata?.annotations ?? {};
  const raw = annotations[CANARY_WEIGHT] ?? '0';
  const total = Number(annotations[CANARY_WEIGHT_TOTAL] ?? '100');
  const value = Number(raw);
  if (annotations[CANARY] !== 'true' || !Number.isFinite(value) || !(total > 0)) return { weight: 0, exact: false };
  const weight = Math.min(100, Math.max(0, Math.round((100 * value) / total)));
  return { weight, exact: total === 100 && Number.isInteger(value) && value === weight && /^\d+$/.test(raw) };
}

class IngressNginxProvider implements TrafficProvider {
  readonly kind = 'ingressNginx';
  private readonly api: NetworkingV1Api;

  constructor(kubeConfig: KubeConfig, private readonly fieldManager: string) {
    this.api = kubeConfig.makeApiClient(NetworkingV1Api);
  }

  async ensureRoute(migration: ProviderMigration): Promise<void> {
    const existing = await this.readCanary(migration);
    // Re-applying the weight just read must not overwrite a change made since (a person's edit,
    // which the engine then sees and reports as drift): the apply is pinned to what was read.
    if (existing === undefined) await this.apply(migration, 0);
    else await this.apply(migration, readCanaryWeight(existing).weight, existing.metadata?.resourceVersion);
  }

  async setWeight(migration: ProviderMigration, weight: number): Promise<void> {
    await this.apply(migration, checkWeight(migration, weight));
  }

  async readWeight(migration: ProviderMigration): Promise<WeightReading | undefined> {
    const canary = await this.readCanary(migration);
    return canary === undefined ? undefined : readCanaryWeight(canary);
  }

  async finalize(migration: ProviderMigration, policy: FinalizePolicy): Promise<void> {
    const name = managedName(migration);
    if (policy === 'restoreLegacy') {
      try {
        await this.api.deleteNamespacedIngress({ namespace: migration.namespace, name });
      } catch (error) {
        if (apiFailure(error)?.code !== 404) throw translateApiError(migration, `Ingress ${migration.namespace}/${name}`, error);
      }
      return;
    }
    await this.disown(migration);
  }

  private async readCanary(migration: ProviderMigration): Promise<V1Ingress | undefined> {
    const name = managedName(migration);
    try {
      return await this.api.readNamespacedIngress({ namespace: migration.namespace, name });
    } catch (error) {
      if (apiFailure(error)?.code === 404) return undefined;
      throw translateApiError(migration, `Ingress ${migration.namespace}/${name}`, error);
    }
  }

  private async apply(migration: ProviderMigration, weight: number, resourceVersion?: string): Promise<void> {
    const primaryName = configString(migration, 'ingress');
    let primary: V1Ingress;
    try {
      primary = await this.api.readNamespacedIngress({ namespace: migration.namespace, name: primaryName });
    } catch (error) {
      if (apiFailure(error)?.code === 404) throw new RouteNotFoundError(migration, `primary Ingress ${migration.namespace}/${primaryName}`, { cause: error });
      throw translateApiError(migration, `Ingress ${migration.namespace}/${primaryName}`, error);
    }
    const desired = canaryIngress(migration, findPrimaryRoute(migration, primary), weight);
    const body = resourceVersion === undefined ? desired : { ...desired, metadata: { ...desired.metadata, resourceVersion } };
    try {
      await this.api.patchNamespacedIngress(
        { namespace: migration.namespace, name: managedName(migration), body, fieldManager: this.fieldManager, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    } catch (error) {
      // Changed since it was read: the next reconcile reads it again (and sees any drift).
      if (resourceVersion !== undefined && apiFailure(error)?.code === 409) throw new RouteConflictError(migration, `Ingress ${migration.namespace}/${managedName(migration)}`, 1, { cause: error });
      throw translateApiError(migration, `Ingress ${migration.namespace}/${managedName(migration)}`, error);
    }
  }

  /** Drops our ownerReference (conditional on the resourceVersion read), so the canary outlives the migration. */
  private async disown(migration: ProviderMigration, attempts = 10): Promise<void> {
    const name = managedName(migration);
    for (let attempt = 1; ; attempt++) {
      const canary = await this.readCanary(migration);
      const references = canary?.metadata?.ownerReferences ?? [];
      if (canary === undefined || !references.some((reference) => reference.uid === migration.uid)) return;
      const body = {
        metadata: { resourceVersion: canary.metadata?.resourceVersion, ownerReferences: references.filter((reference) => reference.uid !== migration.uid) },
      };
      try {
        await this.api.patchNamespacedIngress(
          { namespace: migration.namespace, name, body, fieldManager: this.fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      } catch (error) {
        if (!isStaleWrite(error)) throw translateApiError(migration, `Ingress ${migration.namespace}/${name}`, error);
        if (attempt >= attempts) throw new RouteConflictError(migration, `Ingress ${migration.namespace}/${name}`, attempts, { cause: error });
      }
    }
  }
}

export function createIngressNginxProvider(context: ProviderContext): TrafficProvider {
  if (context.kubeConfig === undefined) throw new ProviderSetupError('ingressNginx', 'no kubeConfig given');
  return new IngressNginxProvider(context.kubeConfig, context.fieldManager);
}
