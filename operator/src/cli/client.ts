/** The NovaMigrations a person looks at and steers, through the apiserver with their own credentials. */
import { CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { NOVA_MIGRATION, type NovaMigration } from '../api/novamigration.js';
import type { Invocation } from './args.js';

export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** The apiserver no longer holds the history a watch asked for (410 Gone): list again. */
export class WatchExpiredError extends CliError {
  override readonly name = 'WatchExpiredError';

  constructor(readonly resourceVersion: string) {
    super(`the watch's resourceVersion ${resourceVersion} expired (410 Gone)`);
  }
}

export interface MigrationSnapshot {
  readonly items: NovaMigration[];
  /** Where a watch goes on from, missing and repeating nothing. */
  readonly resourceVersion: string;
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
    return (await this.snapshot()).items;
  }

  async snapshot(): Promise<MigrationSnapshot> {
    const { group, version, plural } = NOVA_MIGRATION;
    const namespace = this.where.namespace;
    const list = (namespace === undefined
      ? await this.api.listClusterCustomObject({ group, version, plural })
      : await this.api.listNamespacedCustomObject({ group, version, plural, namespace })) as { items?: NovaMigration[]; metadata?: { resourceVersion?: string } };
    return { items: (list.items ?? []).sort((a, b) => key(a).localeCompare(key(b))), resourceVersion: list.metadata?.resourceVersion ?? '' };
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

  /**
   * Calls `onChange` with every change after `resourceVersion` (a snapshot's) until the apiserver
   * ends the stream or `signal` aborts; resolves with the last version seen, where the next watch
   * goes on. Always from a version: without one, kube-apiserver >= 1.34 first waits for its cache to
   * reach etcd's newest revision and may end the stream with an ERROR instead (DEVELOPERS.md).
   */
  async watch(resourceVersion: string, onChange: (type: string, migration: NovaMigration) => void, signal: AbortSignal): Promise<string> {
    const { group, version, plural } = NOVA_MIGRATION;
    const path = this.where.namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${this.where.namespace}/${plural}`;
    let last = resourceVersion;
    let failure: Error | undefined;
    const fail = (error: unknown): void => { failure ??= error instanceof Error ? error : new CliError(`the watch ended: ${JSON.stringify(error)}`); };
    let streamEnded = (): void => undefined;
    const ended = new Promise<void>((resolve) => { streamEnded = resolve; });
    const onEvent = (type: string, object: unknown): void => {
      const event = object as NovaMigration & { code?: number; message?: string };
      if (type === 'ERROR') {
        fail(event.code === 410 ? new WatchExpiredError(last) : new CliError(`the watch ended with an error: ${event.message ?? String(event.code)}`));
        return;
      }
      last = event.metadata?.resourceVersion ?? last;
      if (type === 'BOOKMARK') return;
      try {
        onChange(type, event);
      } catch (error) {
        fail(error); // client-node would swallow it
      }
    };
    const onEnd = (error: unknown): void => {
      // A clean end, our abort, or client-node's 30 s timeout on a quiet stream: go on from `last`.
      const quiet = error instanceof Error && error.name === 'TimeoutError';
      if (error !== null && error !== undefined && !quiet && !signal.aborted) fail(error);
      streamEnded();
    };
    const request = await new Watch(this.where.kubeConfig).watch(path, { resourceVersion, allowWatchBookmarks: true }, onEvent, onEnd);
    const abort = (): void => { request.abort(); };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    await ended;
    signal.removeEventListener('abort', abort);
    if (failure !== undefined) throw failure;
    return last;
  }

  private namespace(): string {
    if (this.where.namespace === undefined) throw new CliError('this command needs one namespace');
    return this.where.namespace;
  }
}

export function key(migration: NovaMigration): string {
  return `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
}
