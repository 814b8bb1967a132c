import { createGatewayApiProvider } from './gateway-api.js';
import { createIngressNginxProvider } from './ingress-nginx.js';
import { createIstioProvider } from './istio.js';
import { createNatsProvider } from './nats.js';
import { createNginxProvider } from './nginx.js';
import { ProviderRegistry, type ProviderContext } from './registry.js';

export * from './errors.js';
export type { FinalizePolicy, ProviderMigration, RouteMatch, ServiceRef, TrafficProvider, WeightReading } from './provider.js';
export { managedName } from './provider.js';
export { ProviderRegistry, type ProviderContext, type ProviderFactory, type ResolvedProvider } from './registry.js';
export type { NginxInstanceOptions } from './nginx-files.js';
export { ContextOwnedError, StaleWeightWriteError, type NatsProviderOptions } from './nats.js';

/**
 * The providers this operator ships, under their `spec.trafficProvider` keys. Each is built on
 * first use, so an operator without an nginx (or without Kubernetes credentials) only fails for
 * migrations that name that provider (nats without NOVA_NATS_URL: ProviderUnavailable).
 */
export function builtinProviders(context: ProviderContext): ProviderRegistry {
  return new ProviderRegistry(context)
    .register('istio', createIstioProvider)
    .register('ingressNginx', createIngressNginxProvider)
    .register('gatewayAPI', createGatewayApiProvider)
    .register('nginx', createNginxProvider)
    .register('nats', createNatsProvider);
}
