import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { NovaMigration } from '../api/novamigration.js';
import { ISTIO_SHAPE } from '../providers/istio.js';
import { concernedKeys, sharedItemPart, wholeObjectPart, type RouteKindParts } from './route-changes.js';

function migration(name: string, pathPrefix: string, virtualService = 'nova'): NovaMigration {
  return {
    apiVersion: 'novabot.io/v1alpha1',
    kind: 'NovaMigration',
    metadata: { namespace: 'ns', name },
    spec: {
      route: { pathPrefix },
      legacy: { service: 'nova-monolith', port: 8099 },
      target: { service: `${name}-service`, port: 8100 },
      trafficProvider: { istio: { virtualService } },
      steps: [{ setWeight: 100 }],
      paused: false,
      onDelete: 'restoreLegacy',
    },
  };
}

function route(name: string, prefix: string, weight: number): Record<string, unknown> {
  return {
    name: `nova-${name}`,
    match: [{ uri: { prefix } }],
    route: [
      { destination: { host: 'nova-monolith', port: { number: 8099 } }, weight: 100 - weight },
      { destination: { host: `${name}-service`, port: { number: 8100 } }, weight },
    ],
  };
}

function virtualService(resourceVersion: string, http: readonly unknown[], hosts = ['bot.example.com']): KubernetesObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { namespace: 'ns', name: 'nova', resourceVersion }, spec: { hosts, http } } as KubernetesObject;
}

const istio: RouteKindParts = { manages: (m, name) => m.spec.trafficProvider?.istio?.virtualService === name, part: sharedItemPart(ISTIO_SHAPE) };
const onNova = [migration('a', '/a/'), migration('b', '/b/'), migration('c', '/c/')];
const elsewhere = migration('d', '/d/', 'other');
const candidates = [...onNova, elsewhere];

describe('which migrations a route object event concerns', () => {
  const before = virtualService('1', [route('a', '/a/', 0), route('b', '/b/', 0), { name: 'default', route: [] }]);

  it('an update that changes one migration\'s item concerns that migration only', () => {
    const after = virtualService('2', [route('a', '/a/', 30), route('b', '/b/', 0), { name: 'default', route: [] }]);
    expect(concernedKeys(istio, candidates, after, before)).toEqual(['ns/a']);
  });

  it('inserting a new item concerns its migration, not those whose items only moved', () => {
    const after = virtualService('2', [route('c', '/c/', 0), route('a', '/a/', 0), route('b', '/b/', 0), { name: 'default', route: [] }]);
    expect(concernedKeys(istio, candidates, after, before)).toEqual(['ns/c']);
  });

  it('an update of what every migration reads (the hosts) concerns all on the object', () => {
    const after = virtualService('2', [route('a', '/a/', 0), route('b', '/b/', 0), { name: 'default', route: [] }], ['other.example.com']);
    expect(concernedKeys(istio, candidates, after, before)).toEqual(['ns/a', 'ns/b', 'ns/c']);
  });

  it('an update changing nothing a migration reads (a label, another route) concerns none', () => {
    const after = virtualService('2', [route('a', '/a/', 0), route('b', '/b/', 0), { name: 'default', route: [{ destination: { host: 'x' } }] }]);
    expect(concernedKeys(istio, candidates, after, before)).toEqual([]);
  });

  it('an add, a delete or an update without a known previous version concerns every migration on the object', () => {
    expect(concernedKeys(istio, candidates, before, undefined)).toEqual(['ns/a', 'ns/b', 'ns/c']);
  });

  it('a whole-object kind (Ingress) ignores bookkeeping in metadata but sees its spec and annotations', () => {
    const ingress = (resourceVersion: string, weight: string): KubernetesObject =>
      ({ metadata: { name: 'nova-a', namespace: 'ns', resourceVersion, annotations: { 'nginx.ingress.kubernetes.io/canary-weight': weight } }, spec: { rules: [] } }) as KubernetesObject;
    const kind: RouteKindParts = { manages: (m, name) => name === `nova-${m.metadata?.name ?? ''}`, part: wholeObjectPart };
    expect(concernedKeys(kind, candidates, ingress('2', '0'), ingress('1', '0'))).toEqual([]);
    expect(concernedKeys(kind, candidates, ingress('3', '30'), ingress('2', '0'))).toEqual(['ns/a']);
  });
});
