/**
 * The migrations page's source on the Kubernetes API: lists NovaMigrations (the chart's Role for
 * the panel grants get/list/watch on novamigrations and nothing else; the watch that keeps open
 * pages live is kube-migration-watch.ts).
 */
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { MigrationsAnswer, MigrationsSource, MigrationView } from '../domain/index.js';

export interface NovaMigrationObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly route?: { readonly host?: string; readonly pathPrefix?: string };
    readonly trafficProvider?: { readonly nats?: { readonly context?: string } };
    /** Stage 7: the tables of these contexts move into their schemas (no route, no bus context). */
    readonly database?: { readonly contexts?: readonly { readonly name?: string }[] };
  };
  readonly status?: {
    readonly phase?: string;
    readonly weight?: number;
    readonly stepLabel?: string;
    readonly currentStep?: number;
    readonly message?: string;
    readonly analysis?: { readonly lastResult?: string; readonly lastRun?: string; readonly summary?: string; readonly failures?: number };
  };
}

export function migrationView(item: NovaMigrationObject): MigrationView {
  const { metadata, spec, status } = item;
  const route = spec?.database !== undefined
    ? `tables: ${(spec.database.contexts ?? []).map((c) => c.name ?? '?').join(', ')}`
    : spec?.route === undefined
      ? `bus: ${spec?.trafficProvider?.nats?.context ?? '?'}`
      : `${spec.route.host ?? '*'}${spec.route.pathPrefix ?? ''}`;
  const analysis = status?.analysis === undefined
    ? '—'
    : [status.analysis.lastResult, status.analysis.lastRun, status.analysis.summary].filter((part) => part !== undefined && part !== '').join(' · ') || '—';
  return {
    name: metadata?.name ?? '?',
    namespace: metadata?.namespace ?? '?',
    stage: metadata?.labels?.['novabot.io/stage'],
    route,
    phase: status?.phase ?? 'Pending',
    weight: status?.weight,
    step: status?.stepLabel ?? (status?.currentStep === undefined ? '—' : String(status.currentStep)),
    analysis,
    message: status?.message,
  };
}

/** Stage order, then name: the page reads top to bottom like the plan. */
function byStage(a: MigrationView, b: MigrationView): number {
  const stage = (m: MigrationView) => (m.stage === undefined ? Number.MAX_SAFE_INTEGER : Number(m.stage));
  return stage(a) - stage(b) || a.name.localeCompare(b.name);
}

export interface KubeMigrationsOptions {
  /** A kubeconfig file; without it, the pod's service account when in a cluster. */
  readonly kubeconfig: string | undefined;
  readonly namespace: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The panel's access to the Kubernetes API: the kubeconfig given, else the pod's service account, else none. */
export function kubeConfigFor(options: Pick<KubeMigrationsOptions, 'kubeconfig' | 'env'>): KubeConfig | undefined {
  const kubeConfig = new KubeConfig();
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) kubeConfig.loadFromFile(options.kubeconfig);
  else if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') kubeConfig.loadFromCluster();
  else return undefined;
  return kubeConfig;
}

export function kubeMigrations(options: KubeMigrationsOptions, kubeConfig = kubeConfigFor(options)): MigrationsSource | undefined {
  if (kubeConfig === undefined) return undefined;
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  return {
    async list(): Promise<MigrationsAnswer> {
      try {
        const answer = (await api.listNamespacedCustomObject({ group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations', namespace: options.namespace })) as { items?: NovaMigrationObject[] };
        return { kind: 'listed', items: (answer.items ?? []).map(migrationView).sort(byStage) };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return typeof code === 'number' ? { kind: 'unavailable', status: code } : { kind: 'unavailable' };
      }
    },
  };
}
