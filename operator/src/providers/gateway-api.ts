/**
 * Gateway API: weighted `backendRefs` on the ONE rule of an HTTPRoute (named by
 * `trafficProvider.gatewayAPI.httpRoute`) that matches the migration's path as a PathPrefix;
 * other rules and fields are left alone.
 *
 * Like Istio's `spec.http`, `spec.rules` is `x-kubernetes-list-type: atomic` in the upstream CRD
 * (checked in v1.6.1), so server-side apply would own every rule; writes are JSON patches scoped
 * to one rule with `test` preconditions instead (see shared-route.ts).
 *
 * A new rule is appended: Gateway API picks the most specific match whatever the rule order, so
 * position does not matter (unlike Istio). Hosts are checked against `spec.hostnames`.
 */
import { ProviderSetupError } from './errors.js';
import { asArray, asNumber, asObject, asString, dig, type JsonObject } from './json.js';
import { httpRoute, managedName, type ProviderMigration, type ServiceRef, type TrafficProvider } from './provider.js';
import type { ProviderContext } from './registry.js';
import { SharedRouteProvider, type SharedRouteShape } from './shared-route.js';

export const HTTP_ROUTE = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' } as const;

export const GATEWAY_API_SHAPE: SharedRouteShape = {
  kind: 'gatewayAPI',
  resource: HTTP_ROUTE,
  objectNameKey: 'httpRoute',
  listField: ['spec', 'rules'],
  hostsField: ['spec', 'hostnames'],
  backendsKey: 'backendRefs',
  matchKey: 'matches',
  dialect: (namespace) => ({
    describe: (ref) =>
      `${asString(ref.kind) ?? 'Service'} ${asString(ref.namespace) ?? namespace}/${asString(ref.name) ?? ''}:${String(asNumber(ref.port) ?? '-')}`,
    matches: (ref, service: ServiceRef) =>
      (asString(ref.group) ?? '') === '' &&
      (asString(ref.kind) ?? 'Service') === 'Service' &&
      (asString(ref.namespace) ?? namespace) === namespace &&
      asString(ref.name) === service.service &&
      (asNumber(ref.port) ?? service.port) === service.port,
    create: (service: ServiceRef) => ({ name: service.service, port: service.port }),
    weight: (ref) => asNumber(ref.weight),
    // Gateway API: an absent weight is 1 (the apiserver defaults it).
    defaultWeight: () => 1,
  }),
  hasPrefix: (rule, pathPrefix) =>
    asArray(asObject(rule)?.matches).some(
      (match) => asString(dig(match, 'path', 'type')) === 'PathPrefix' && asString(dig(match, 'path', 'value')) === pathPrefix,
    ),
  insertionIndex: (rules) => rules.length,
};

export function newGatewayRule(migration: ProviderMigration): JsonObject {
  return { name: managedName(migration), matches: [{ path: { type: 'PathPrefix', value: httpRoute(migration).pathPrefix } }] };
}

export function createGatewayApiProvider(context: ProviderContext): TrafficProvider {
  if (context.kubeConfig === undefined) throw new ProviderSetupError('gatewayAPI', 'no kubeConfig given');
  return new SharedRouteProvider(GATEWAY_API_SHAPE, newGatewayRule, context.kubeConfig, context.fieldManager, context.routeCache?.(GATEWAY_API_SHAPE.resource.plural));
}
