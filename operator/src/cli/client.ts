/** The NovaMigrations a person looks at and steers, through the apiserver with their own credentials. */
import { CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { NOVA_MIGRATION, type NovaMigration } from '../api/novamigration.js';
import type { Invocation } from './args.js';

export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface Target {
  readonly kubeConfig: KubeConfig;
  /** undefined: all namespaces. */
  readonly namespace: string | undefined;
}

export function target(invocation: Invocation): Target {
  const kubeConfig = new KubeConfig();
  if (invocation.kubeconfig !== undefined) kubeConfig.loadFromFile(invocation.kubeconfig);
  else kubeConfig.loadFromDefault();
  if (invocation.context !== undefined) kubeConfig.setCurrentContext(invocation.context);
  if (invocation.allNamespaces) return { kubeConfig, namespace: undefined };
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return { kubeConfig, namespace: invocation.namespace ?? (contextNamespace !== undefined && contextNamespace !== '' ? contextNamespace : 'default') };
}

export class MigrationClient {
  private readonly api: CustomObjectsApi;

  constructor(private readonly where: Target) {
    this.api = where.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async list(): Promise<NovaMigration[]> {
    const { group, version, plural } = NOVA_MIGRATION;
    const namespace = this.where.namespace;
    const list = (namespace === undefined
      ? await this.api.listClusterCustomObject({ group, version, plural })
      : await this.api.listNamespacedCustomObject({ group, version, plural, namespace })) as { items?: NovaMigration[] };
    return (list.items ?? []).sort((a, b) => key(a).localeCompare(key(b)));
  }

  async get(name: string): Promise<NovaMigration> {
    const { group, version, plural } = NOVA_MIGRATION;
    const namespace = this.namespace();
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as NovaMigration;
    } catch (error) {
      if ((error as { code?: number }).code === 404) throw new CliError(`novamigration "${name}" not found in namespace "${namespace}"`);
      throw error;
    }
  }

  /** A JSON merge patch of metadata.annotations (null removes one): never spec, never status. */
  async annotate(name: string, annotations: Readonly<Record<string, string | null>>): Promise<NovaMigration> {
    const { group, version, plural } = NOVA_MIGRATION;
    return (await this.api.patchNamespacedCustomObject(
      { group, version, plural, namespace: this.namespace(), name, body: { metadata: { annotations } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as NovaMigration;
  }

  /** Calls `onChange` with every added/modified/deleted migration until `signal` aborts; resolves when the watch ends. */
  async watch(onChange: (type: string, migration: NovaMigration) => void, signal: AbortSignal): Promise<void> {
    const { group, version, plural } = NOVA_MIGRATION;
    const path = this.where.namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${this.where.namespace}/${plural}`;
    await new Promise<void>((resolve, reject) => {
      const watch = new Watch(this.where.kubeConfig);
      watch
        .watch(path, {}, (type: string, object: NovaMigration) => { onChange(type, object); }, (error: unknown) => {
          if (error === null || error === undefined || signal.aborted) resolve();
          else reject(error instanceof Error ? error : new CliError(`the watch ended: ${JSON.stringify(error)}`));
        })
        .then((request) => {
          signal.addEventListener('abort', () => { request.abort(); resolve(); }, { once: true });
        }, reject);
    });
  }

  private namespace(): string {
    if (this.where.namespace === undefined) throw new CliError('this command needs one namespace');
    return this.where.namespace;
  }
}

export function key(migration: NovaMigration): string {
  return `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
}
