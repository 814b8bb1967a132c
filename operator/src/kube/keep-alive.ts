/**
 * A KubeConfig whose API calls share one connection pool per context.
 *
 * client-node 2.0 builds a new undici Agent for every call (`applySecurityAuthentication` →
 * `createDispatcher`), so every call opened a new TCP connection with a full TLS handshake, client
 * certificate included, and left the old one idle until undici's keep-alive timeout. In the
 * operator benchmark's CPU profile the handshakes (`TLSSocket._start`, `SecureContext`,
 * `setKey`, `getPeerCertificate`) were about a third of the operator's busy time, and the
 * apiserver paid its side of each. client-go keeps one transport per config for the life of the
 * process (its TLS cache); this does the same: the first call of a context keeps its Agent, and
 * every later call of that context is sent through it, so connections are reused.
 *
 * What still happens per call is unchanged: the authentication headers (a service account's
 * token file is read again, so a rotated token is picked up), the per-call AbortSignal, and
 * the TLS material of the first call, which, as with client-go's in-cluster config, is read once
 * (a rotated CA or client certificate needs a restart, as it does for client-go).
 */
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class KeepAliveKubeConfig extends KubeConfig {
  private readonly pools = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (made === undefined) return; // plain http without TLS options: undici's global pool already keeps connections
    const key = this.getCurrentContext();
    const pooled = this.pools.get(key);
    if (pooled === undefined) {
      this.pools.set(key, made);
      return;
    }
    // The Agent client-node just built has opened nothing yet; the pooled one carries the call.
    context.setDispatcher(pooled);
    void made.close().catch(() => undefined);
  }

  /** Closes the pooled connections (a process that stops; an idle one would close on its own). */
  async closeConnections(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  }
}

/** `config` itself when it pools already, else a pooling copy of its clusters, users and contexts. */
export function keepAlive(config: KubeConfig): KeepAliveKubeConfig {
  if (config instanceof KeepAliveKubeConfig) return config;
  const copy = new KeepAliveKubeConfig();
  copy.loadFromOptions({ clusters: config.clusters, users: config.users, contexts: config.contexts, currentContext: config.currentContext });
  return copy;
}
