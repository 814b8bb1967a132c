/**
 * The Kubernetes traffic providers against a real kube-apiserver with the real Istio and Gateway
 * API CRDs installed (the apiserver validates every object written against their schemas).
 *
 * The point of these tests is the strangler fig: two migrations on two paths of ONE shared
 * VirtualService / HTTPRoute (or one primary Ingress) move at the same time, interleaved with a
 * third party editing something else in the same object, and nobody's change is ever lost.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, V1Namespace, V1ObjectMeta } from '@kubernetes/client-node';
import { component } from '@nova/testbed';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { apiFailure, CustomObjects, readModifyWrite } from '../../operator/src/providers/kube-writes.js';
import { GATEWAY_API_SHAPE, HTTP_ROUTE } from '../../operator/src/providers/gateway-api.js';
import { CANARY_WEIGHT } from '../../operator/src/providers/ingress-nginx.js';
import {
  builtinProviders,
  InvalidProviderConfigError,
  RouteNotFoundError,
  type ProviderMigration,
  type TrafficProvider,
} from '../../operator/src/providers/index.js';
import { ISTIO_SHAPE, VIRTUAL_SERVICE } from '../../operator/src/providers/istio.js';
import { asArray, asObject, asString, dig, type JsonObject } from '../../operator/src/providers/json.js';

const ROUNDS = 12;
/** Ingress through the generic client: plain JSON in and out, like the route CRDs. */
const INGRESS = { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses' } as const;

let kubeConfig: KubeConfig;
let namespace: string;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  const { kubeconfig } = component('kube');
  kubeConfig = new KubeConfig();
  if (existsSync(kubeconfig)) kubeConfig.loadFromFile(kubeconfig);
  else kubeConfig.loadFromString(kubeconfig);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  core = kubeConfig.makeApiClient(CoreV1Api);
  namespace = `providers-${randomBytes(3).toString('hex')}`;
  // The client's model classes want instances, not literals.
  const body = new V1Namespace();
  body.metadata = new V1ObjectMeta();
  body.metadata.name = namespace;
  await core.createNamespace({ body });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

function migration(name: string, pathPrefix: string, target: string, config: Record<string, unknown>): ProviderMigration {
  return {
    namespace,
    name,
    uid: randomUUID(),
    route: { host: 'bot.example.com', pathPrefix },
    legacy: { service: 'nova-monolith', port: 8099 },
    target: { service: target, port: 8100 },
    config,
  };
}

/** Weights per round for two migrations, so that every round changes both. */
function schedule(round: number): [number, number] {
  return [(round * 7 + 5) % 101, (round * 13 + 50) % 101];
}

interface SharedCase {
  readonly kind: 'istio' | 'gatewayAPI';
  readonly resource: { readonly group: string; readonly version: string; readonly plural: string };
  readonly configKey: string;
  readonly listField: readonly [string, string];
  readonly backendsKey: string;
  readonly create: (name: string) => JsonObject;
  /** A third party's edit of the catch-all item, e.g. a timeout, tagged with `round`. */
  readonly foreignEdit: (item: JsonObject, round: number) => void;
  readonly foreignValue: (item: JsonObject) => unknown;
  readonly expectedForeign: (round: number) => unknown;
}

const cases: readonly SharedCase[] = [
  {
    kind: 'istio',
    resource: VIRTUAL_SERVICE,
    configKey: 'virtualService',
    listField: ISTIO_SHAPE.listField,
    backendsKey: 'route',
    create: (name) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name },
      spec: {
        hosts: ['bot.example.com'],
        gateways: ['nova-gateway'],
        http: [
          { name: 'health', match: [{ uri: { exact: '/healthz' } }], route: [{ destination: { host: 'nova-monolith', port: { number: 8099 } } }] },
          { name: 'default', route: [{ destination: { host: 'nova-monolith', port: { number: 8099 } } }], timeout: '5s' },
        ],
      },
    }),
    foreignEdit: (item, round) => {
      item.timeout = `${String(round + 1)}s`;
    },
    foreignValue: (item) => item.timeout,
    expectedForeign: (round) => `${String(round + 1)}s`,
  },
  {
    kind: 'gatewayAPI',
    resource: HTTP_ROUTE,
    configKey: 'httpRoute',
    listField: GATEWAY_API_SHAPE.listField,
    backendsKey: 'backendRefs',
    create: (name) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name },
      spec: {
        parentRefs: [{ name: 'nova-gateway' }],
        hostnames: ['bot.example.com'],
        rules: [{ name: 'default', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'nova-monolith', port: 8099 }] }],
      },
    }),
    foreignEdit: (item, round) => {
      item.timeouts = { request: `${String(round + 1)}s` };
    },
    foreignValue: (item) => dig(item, 'timeouts', 'request'),
    expectedForeign: (round) => `${String(round + 1)}s`,
  },
];

/** The shared object as the apiserver holds it now. */
const readShared = async (shape: SharedCase, name: string): Promise<JsonObject> =>
  asObject(await custom.getNamespacedCustomObject({ ...shape.resource, namespace, name })) ?? {};
/** Its route items (Istio's `spec.http`, Gateway API's `spec.rules`). */
const itemsOf = (shape: SharedCase, object: JsonObject): JsonObject[] => asArray(dig(object, ...shape.listField)).map((item) => asObject(item) ?? {});

describe.each(cases)('$kind provider on one shared object', (shape) => {
  const objectName = `shared-${shape.kind.toLowerCase()}`;
  let provider: TrafficProvider;
  let webhook: ProviderMigration;
  let payments: ProviderMigration;

  const read = (): Promise<JsonObject> => readShared(shape, objectName);
  const items = (object: JsonObject): JsonObject[] => itemsOf(shape, object);
  const item = (object: JsonObject, name: string): JsonObject => {
    const found = items(object).find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no item ${name} in ${JSON.stringify(dig(object, ...shape.listField))}`);
    return found;
  };

  /** A third party (a person with kubectl edit, Helm) rewriting the whole object with optimistic concurrency. */
  const foreignUpdate = async (round: number): Promise<void> => {
    for (;;) {
      const object = await read();
      shape.foreignEdit(item(object, 'default'), round);
      try {
        await custom.replaceNamespacedCustomObject({ ...shape.resource, namespace, name: objectName, body: object });
        return;
      } catch (error) {
        if (apiFailure(error)?.code !== 409) throw error;
      }
    }
  };

  beforeAll(async () => {
    provider = builtinProviders({ kubeConfig, fieldManager: 'nova-operator' }).get(shape.kind);
    webhook = migration('stage-1-webhook', '/webhook/', 'webhook-gateway', { [shape.configKey]: objectName });
    payments = migration('stage-5-payments', '/payments/', 'payment', { [shape.configKey]: objectName });
    await custom.createNamespacedCustomObject({ ...shape.resource, namespace, body: shape.create(objectName) });
  });

  it('refuses a missing object and a host the object does not serve', async () => {
    await expect(provider.ensureRoute({ ...webhook, config: { [shape.configKey]: 'nope' } })).rejects.toThrow(RouteNotFoundError);
    await expect(provider.ensureRoute({ ...webhook, route: { pathPrefix: '/webhook/', host: 'evil.example.org' } })).rejects.toThrow(InvalidProviderConfigError);
    expect(await provider.readWeight(webhook)).toBeUndefined();
  });

  it('adds one route per migration at 100 % legacy, concurrently, ahead of the catch-all', async () => {
    await Promise.all([provider.ensureRoute(webhook), provider.ensureRoute(payments), provider.ensureRoute(webhook)]);
    const names = items(await read()).map((candidate) => candidate.name);
    expect(names.filter((name) => name === 'nova-stage-1-webhook')).toHaveLength(1);
    expect(names.filter((name) => name === 'nova-stage-5-payments')).toHaveLength(1);
    if (shape.kind === 'istio') expect(names.at(-1)).toBe('default');
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(await provider.readWeight(payments)).toEqual({ weight: 0, exact: true });
  });

  it('writes weights the apiserver accepts and reads them back', async () => {
    await provider.setWeight(webhook, 30);
    const backends = asArray(item(await read(), 'nova-stage-1-webhook')[shape.backendsKey]).map((entry) => asObject(entry) ?? {});
    expect(backends.map((entry) => entry.weight)).toEqual([70, 30]);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 30, exact: true });
  });

  it('moves two paths at once, interleaved with a third party, and nobody undoes anybody', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = schedule(round);
      await Promise.all([provider.setWeight(webhook, a), provider.setWeight(payments, b), foreignUpdate(round)]);
      const object = await read();
      expect([await provider.readWeight(webhook), await provider.readWeight(payments)]).toEqual([
        { weight: a, exact: true },
        { weight: b, exact: true },
      ]);
      expect(shape.foreignValue(item(object, 'default'))).toEqual(shape.expectedForeign(round));
    }
  });

  it('keeps fields someone else set on the migration route itself', async () => {
    const object = await read();
    const own = item(object, 'nova-stage-1-webhook');
    shape.foreignEdit(own, 41);
    await custom.replaceNamespacedCustomObject({ ...shape.resource, namespace, name: objectName, body: object });
    await provider.setWeight(webhook, 55);
    expect(shape.foreignValue(item(await read(), 'nova-stage-1-webhook'))).toEqual(shape.expectedForeign(41));
    expect(await provider.readWeight(webhook)).toEqual({ weight: 55, exact: true });
  });

  it('finalizes: restoreLegacy sends the route to legacy only, leaveAsIs changes nothing', async () => {
    await provider.setWeight(payments, 80);
    const before = await read();
    await provider.finalize(payments, 'leaveAsIs');
    expect((await read()).metadata).toEqual(before.metadata);
    await provider.finalize(webhook, 'restoreLegacy');
    const after = await read();
    const backends = asArray(item(after, 'nova-stage-1-webhook')[shape.backendsKey]).map((entry) => asObject(entry) ?? {});
    expect(backends).toHaveLength(1);
    expect(backends[0]?.weight).toBe(100);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(await provider.readWeight(payments)).toEqual({ weight: 80, exact: true });
    // Idempotent, and a no-op once the shared object is gone.
    await provider.finalize(webhook, 'restoreLegacy');
    await custom.deleteNamespacedCustomObject({ ...shape.resource, namespace, name: objectName });
    await provider.finalize(webhook, 'restoreLegacy');
  });
});

/**
 * `createRoute: WithFirstWeight` (bench/README.md, "one write of the shared object fewer"): the
 * route is inserted by its first weight, so an apply costs the shared object one write, not two.
 */
describe.each(cases)('$kind provider, createRoute: WithFirstWeight', (shape) => {
  const objectName = `first-weight-${shape.kind.toLowerCase()}`;
  let provider: TrafficProvider;
  let webhook: ProviderMigration;
  let payments: ProviderMigration;

  const read = (): Promise<JsonObject> => readShared(shape, objectName);
  const names = (object: JsonObject): (string | undefined)[] => itemsOf(shape, object).map((item) => asString(item.name));
  const weights = (object: JsonObject, name: string): unknown[] => {
    const item = itemsOf(shape, object).find((candidate) => candidate.name === name);
    return asArray(item?.[shape.backendsKey]).map((entry) => asObject(entry)?.weight);
  };
  // metadata.generation counts the writes that changed the object's spec.
  const generation = (object: JsonObject): number => Number(asObject(object.metadata)?.generation);

  beforeAll(async () => {
    provider = builtinProviders({ kubeConfig, fieldManager: 'nova-operator' }).get(shape.kind);
    const config = { [shape.configKey]: objectName, createRoute: 'WithFirstWeight' };
    webhook = migration('first-webhook', '/webhook/', 'webhook-gateway', config);
    payments = migration('first-payments', '/payments/', 'payment', config);
    await custom.createNamespacedCustomObject({ ...shape.resource, namespace, body: shape.create(objectName) });
  });

  it('checks the route without writing the shared object, and reads it as 0 % until its first weight', async () => {
    const before = generation(await read());
    await Promise.all([provider.ensureRoute(webhook), provider.ensureRoute(payments), provider.ensureRoute(webhook)]);
    const after = await read();
    expect(generation(after)).toBe(before);
    expect(names(after)).not.toContain('nova-first-webhook');
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    // What ensureRoute refuses at the start, the first weight refuses too, writing nothing.
    await expect(provider.ensureRoute({ ...webhook, config: { ...webhook.config, [shape.configKey]: 'nope' } })).rejects.toThrow(RouteNotFoundError);
    expect(await provider.readWeight({ ...webhook, config: { ...webhook.config, [shape.configKey]: 'nope' } })).toBeUndefined();
    const elsewhere = { ...webhook, route: { pathPrefix: '/webhook/', host: 'evil.example.org' } };
    await expect(provider.ensureRoute(elsewhere)).rejects.toThrow(InvalidProviderConfigError);
    await expect(provider.setWeight(elsewhere, 30)).rejects.toThrow(InvalidProviderConfigError);
    await expect(provider.ensureRoute({ ...webhook, config: { ...webhook.config, createRoute: 'Later' } })).rejects.toThrow(/createRoute" must be AtStart or WithFirstWeight, got "Later"/u);
    expect(generation(await read())).toBe(before);
  });

  it('inserts each route with its first weight, one write each, concurrently, ahead of the catch-all', async () => {
    const before = generation(await read());
    await Promise.all([provider.setWeight(webhook, 20), provider.setWeight(payments, 0), provider.setWeight(webhook, 20)]);
    const object = await read();
    // Two inserts and nothing after them: the repeated call found its weight there.
    expect(generation(object) - before).toBe(2);
    expect(names(object).filter((name) => name === 'nova-first-webhook')).toHaveLength(1);
    expect(names(object).filter((name) => name === 'nova-first-payments')).toHaveLength(1);
    if (shape.kind === 'istio') expect(names(object).at(-1)).toBe('default');
    expect(weights(object, 'nova-first-webhook')).toEqual([80, 20]);
    // At 0 % the new route sends everything to legacy and names no target.
    expect(weights(object, 'nova-first-payments')).toEqual([100]);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 20, exact: true });
    expect(await provider.readWeight(payments)).toEqual({ weight: 0, exact: true });
  });

  it('reads a route someone removed as 0 %, and its next weight puts it back', async () => {
    const object = await read();
    const index = names(object).indexOf('nova-first-webhook');
    await custom.patchNamespacedCustomObject(
      { ...shape.resource, namespace, name: objectName, body: [{ op: 'remove', path: `/${shape.listField.join('/')}/${String(index)}` }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    await provider.setWeight(webhook, 40);
    expect(weights(await read(), 'nova-first-webhook')).toEqual([60, 40]);
    await provider.finalize(webhook, 'restoreLegacy');
    expect(weights(await read(), 'nova-first-webhook')).toEqual([100]);
  });
});

describe('ingressNginx provider: one canary Ingress per migration', () => {
  let provider: TrafficProvider;
  let webhook: ProviderMigration;
  let payments: ProviderMigration;

  const primaryBody = (): JsonObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'nova', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m' } },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'bot.example.com',
          http: {
            paths: ['/webhook/', '/payments/', '/'].map((path) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: 'nova-monolith', port: { number: 8099 } } },
            })),
          },
        },
      ],
    },
  });
  const readIngress = async (name: string): Promise<JsonObject> => asObject(await custom.getNamespacedCustomObject({ ...INGRESS, namespace, name })) ?? {};
  const canary = (m: ProviderMigration): Promise<JsonObject> => readIngress(`nova-${m.name}`);
  const annotation = (object: JsonObject, key: string): unknown => asObject(dig(object, 'metadata', 'annotations'))?.[key];

  beforeAll(async () => {
    provider = builtinProviders({ kubeConfig, fieldManager: 'nova-operator' }).get('ingressNginx');
    webhook = migration('stage-1-webhook', '/webhook/', 'webhook-gateway', { ingress: 'nova' });
    payments = migration('stage-5-payments', '/payments/', 'payment', { ingress: 'nova' });
    await custom.createNamespacedCustomObject({ ...INGRESS, namespace, body: primaryBody() });
  });

  it('refuses a missing primary or a path the primary does not serve', async () => {
    await expect(provider.ensureRoute({ ...webhook, config: { ingress: 'nope' } })).rejects.toThrow(RouteNotFoundError);
    await expect(provider.ensureRoute({ ...webhook, route: { pathPrefix: '/nowhere/' } })).rejects.toThrow(InvalidProviderConfigError);
    expect(await provider.readWeight(webhook)).toBeUndefined();
  });

  it('creates owned canaries at weight 0 for each path, moves them concurrently, and never touches the primary', async () => {
    const primaryBefore = await readIngress('nova');
    await Promise.all([provider.ensureRoute(webhook), provider.ensureRoute(payments)]);
    const created = await canary(webhook);
    expect(asArray(dig(created, 'metadata', 'ownerReferences')).map((reference) => [dig(reference, 'kind'), dig(reference, 'name'), dig(reference, 'uid')])).toEqual([
      ['NovaMigration', 'stage-1-webhook', webhook.uid],
    ]);
    expect(dig(created, 'spec', 'ingressClassName')).toBe('nginx');
    const paths = asArray(dig(asArray(dig(created, 'spec', 'rules'))[0], 'http', 'paths'));
    expect(paths.map((path) => [dig(path, 'path'), dig(path, 'backend', 'service', 'name')])).toEqual([['/webhook/', 'webhook-gateway']]);
    expect(await provider.readWeight(payments)).toEqual({ weight: 0, exact: true });
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = schedule(round);
      await Promise.all([provider.setWeight(webhook, a), provider.setWeight(payments, b)]);
      expect([await provider.readWeight(webhook), await provider.readWeight(payments)]).toEqual([
        { weight: a, exact: true },
        { weight: b, exact: true },
      ]);
    }
    expect(dig(await readIngress('nova'), 'metadata', 'resourceVersion')).toBe(dig(primaryBefore, 'metadata', 'resourceVersion'));
  });

  it('keeps labels others add to the canary and takes back a hand-edited weight', async () => {
    await provider.setWeight(webhook, 20);
    const edited = await canary(webhook);
    const metadata = asObject(edited.metadata) ?? {};
    metadata.labels = { ...asObject(metadata.labels), team: 'sre' };
    metadata.annotations = { ...asObject(metadata.annotations), [CANARY_WEIGHT]: '90' };
    await custom.replaceNamespacedCustomObject({ ...INGRESS, namespace, name: `nova-${webhook.name}`, body: edited });
    expect(await provider.readWeight(webhook)).toEqual({ weight: 90, exact: true });
    await provider.setWeight(webhook, 25);
    const after = await canary(webhook);
    expect(dig(after, 'metadata', 'labels', 'team')).toBe('sre');
    expect(annotation(after, CANARY_WEIGHT)).toBe('25');
  });

  it('finalizes: restoreLegacy deletes the canary, leaveAsIs keeps it and drops the owner so GC keeps it too', async () => {
    await provider.setWeight(payments, 60);
    await provider.finalize(payments, 'leaveAsIs');
    const kept = await canary(payments);
    expect(asArray(dig(kept, 'metadata', 'ownerReferences'))).toEqual([]);
    expect(annotation(kept, CANARY_WEIGHT)).toBe('60');
    await provider.finalize(webhook, 'restoreLegacy');
    expect(await canary(webhook).then(() => 200, (error: unknown) => apiFailure(error)?.code)).toBe(404);
    expect(await provider.readWeight(webhook)).toBeUndefined();
    await provider.finalize(webhook, 'restoreLegacy');
  });
});

describe('the apiserver validates what providers write', () => {
  it('rejects an object outside the CRD schema with a typed error', async () => {
    // A route the schema refuses (timeout must be a string), written through the providers' patch path.
    const name = 'validation';
    await custom.createNamespacedCustomObject({
      ...VIRTUAL_SERVICE,
      namespace,
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name }, spec: { hosts: ['x'], http: [] } },
    });
    const objects = new CustomObjects(kubeConfig, VIRTUAL_SERVICE, 'nova-operator');
    const m = migration('validation', '/v/', 'x', {});
    const failure = readModifyWrite(m, objects, name, () => ({ write: [{ op: 'add', path: '/spec/http/-', value: { timeout: 12 } }] }));
    await expect(failure).rejects.toThrow(/rejected the change/);
    expect(asString(dig(await custom.getNamespacedCustomObject({ ...VIRTUAL_SERVICE, namespace, name }), 'metadata', 'name'))).toBe(name);
  });
});
