/**
 * Istio: the weights of the two destinations of ONE HTTP route (the one for the migration's path)
 * in an existing VirtualService, named by `trafficProvider.istio.virtualService`; every other
 * route and field is left alone.
 *
 * Why JSON patch and not server-side apply: `spec.http` in Istio's CRD carries no
 * `x-kubernetes-list-type`, so the apiserver treats it as an atomic list and an apply would own
 * the whole list: two migrations applying their own route would each either fail with a conflict
 * over `.spec.http` or, forced, drop the other's route. A JSON patch can address one item, and
 * its `test` operations make it conditional on that item (see kube-writes.ts, shared-route.ts).
 *
 * ensureRoute inserts the route when the VirtualService has none for the path: Istio takes the
 * first matching route, so it goes right before the first route that could shadow it (a
 * catch-all, a shorter prefix, a regex), at 100 % legacy. Hosts are checked against
 * `spec.hosts`; the route itself matches on the path only.
 */
import { ProviderSetupError } from './errors.js';
import { asArray, asNumber, asObject, asString, dig, type JsonObject } from './json.js';
import { httpRoute, managedName, type ProviderMigration, type ServiceRef, type TrafficProvider } from './provider.js';
import type { ProviderContext } from './registry.js';
import { SharedRouteProvider, type SharedRouteShape } from './shared-route.js';

export const VIRTUAL_SERVICE = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' } as const;

function host(entry: JsonObject): string {
  return asString(dig(entry, 'destination', 'host')) ?? '';
}

function prefixes(route: unknown): string[] {
  return asArray(asObject(route)?.match).flatMap((match) => asString(dig(match, 'uri', 'prefix')) ?? []);
}

/** Where a new route for `pathPrefix` must go so that no earlier route takes its requests. */
export function istioInsertionIndex(http: readonly unknown[], pathPrefix: string): number {
  const shadows = (route: unknown): boolean => {
    const matches = asArray(asObject(route)?.match);
    if (matches.length === 0) return true;
    return matches.some((match) => {
      const uri = asObject(asObject(match)?.uri);
      if (uri === undefined) return true;
      const prefix = asString(uri.prefix);
      if (prefix !== undefined) return pathPrefix.startsWith(prefix);
      return asString(uri.regex) !== undefined;
    });
  };
  const index = http.findIndex(shadows);
  return index < 0 ? http.length : index;
}

export const ISTIO_SHAPE: SharedRouteShape = {
  kind: 'istio',
  resource: VIRTUAL_SERVICE,
  objectNameKey: 'virtualService',
  listField: ['spec', 'http'],
  hostsField: ['spec', 'hosts'],
  backendsKey: 'route',
  matchKey: 'match',
  dialect: (namespace) => ({
    describe: (entry) => `${host(entry)}:${String(asNumber(dig(entry, 'destination', 'port', 'number')) ?? '-')}`,
    // A short host is a Service in the VirtualService's namespace (the migration's own).
    matches: (entry, ref) => {
      const name = host(entry);
      const sameHost = name === ref.service || name === `${ref.service}.${namespace}` || name.startsWith(`${ref.service}.${namespace}.svc`);
      const port = asNumber(dig(entry, 'destination', 'port', 'number'));
      return sameHost && (port === undefined || port === ref.port);
    },
    create: (ref: ServiceRef) => ({ destination: { host: ref.service, port: { number: ref.port } } }),
    weight: (entry) => asNumber(entry.weight),
    // Istio: a lone destination takes everything; with several, an absent weight is 0.
    defaultWeight: (count) => (count === 1 ? 100 : 0),
  }),
  hasPrefix: (route, pathPrefix) => prefixes(route).includes(pathPrefix),
  insertionIndex: istioInsertionIndex,
};

export function newIstioRoute(migration: ProviderMigration): JsonObject {
  return { name: managedName(migration), match: [{ uri: { prefix: httpRoute(migration).pathPrefix } }] };
}

export function createIstioProvider(context: ProviderContext): TrafficProvider {
  if (context.kubeConfig === undefined) throw new ProviderSetupError('istio', 'no kubeConfig given');
  return new SharedRouteProvider(ISTIO_SHAPE, newIstioRoute, context.kubeConfig, context.fieldManager, context.routeCache?.(ISTIO_SHAPE.resource.plural));
}
