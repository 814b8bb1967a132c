import type { KubeConfig } from '@kubernetes/client-node';
import { ProviderSetupError, UnknownProviderError } from './errors.js';
import type { NatsProviderOptions } from './nats-store.js';
import type { NginxInstanceOptions } from './nginx-files.js';
import type { TrafficProvider } from './provider.js';
import type { RouteCache } from './kube-writes.js';

/** What the operator process offers its providers; each factory takes what it needs. */
export interface ProviderContext {
  /** Credentials of the operator (its own least-privilege identity); needed by the Kubernetes providers. */
  readonly kubeConfig?: KubeConfig;
  /** Field manager recorded in managedFields for every write (e.g. "nova-operator"). */
  readonly fieldManager: string;
  /** The plain nginx this operator drives, when it runs next to one (the one-machine fleet). */
  readonly nginx?: NginxInstanceOptions;
  /** The NATS the fleet routes by (NOVA_NATS_URL); needed by the nats provider. */
  readonly nats?: NatsProviderOptions;
  /** The operator's informer cache of a route kind (by plural), when it watches that kind. */
  readonly routeCache?: (plural: string) => RouteCache | undefined;
}

export type ProviderFactory = (context: ProviderContext) => TrafficProvider;

/** A provider chosen from a migration's `spec.trafficProvider`, with its config block. */
export interface ResolvedProvider {
  readonly kind: string;
  readonly provider: TrafficProvider;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Maps the keys of `spec.trafficProvider` to provider factories. Providers are built on first use
 * and then shared by every migration of that kind (they keep no per-migration state).
 */
export class ProviderRegistry {
  private readonly factories = new Map<string, ProviderFactory>();
  private readonly instances = new Map<string, TrafficProvider>();

  constructor(private readonly context: ProviderContext) {}

  register(kind: string, factory: ProviderFactory): this {
    if (this.factories.has(kind)) throw new ProviderSetupError(kind, 'registered twice');
    this.factories.set(kind, factory);
    return this;
  }

  kinds(): string[] {
    return [...this.factories.keys()];
  }

  get(kind: string): TrafficProvider {
    const cached = this.instances.get(kind);
    if (cached !== undefined) return cached;
    const factory = this.factories.get(kind);
    if (factory === undefined) throw new UnknownProviderError([kind], this.kinds());
    const provider = factory(this.context);
    this.instances.set(kind, provider);
    return provider;
  }

  /** Closes every provider built so far (the operator is stopping). */
  async close(): Promise<void> {
    const built = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(built.map((provider) => provider.close?.() ?? Promise.resolve()));
  }

  /** Picks the one provider a `spec.trafficProvider` object names, e.g. `{ istio: { virtualService: nova } }`. */
  resolve(trafficProvider: Readonly<Record<string, unknown>>): ResolvedProvider {
    const keys = Object.keys(trafficProvider).filter((key) => trafficProvider[key] !== undefined && trafficProvider[key] !== null);
    const [kind] = keys;
    if (keys.length !== 1 || kind === undefined) throw new UnknownProviderError(keys, this.kinds());
    const raw = trafficProvider[kind];
    const config = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    return { kind, provider: this.get(kind), config };
  }
}
