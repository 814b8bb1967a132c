import { describe, expect, it } from '@jest/globals';
import { InvalidProviderConfigError } from './errors.js';
import { GATEWAY_API_SHAPE } from './gateway-api.js';
import { ISTIO_SHAPE, istioInsertionIndex } from './istio.js';
import { legacyOnlyEntries, readPair, weightedEntries } from './destinations.js';
import type { ProviderMigration } from './provider.js';
import { findItem, servesHost } from './shared-route.js';

const migration: ProviderMigration = {
  namespace: 'nova',
  name: 'stage-1',
  uid: '00000000-0000-0000-0000-000000000001',
  route: { host: 'bot.example.com', pathPrefix: '/webhook/' },
  legacy: { service: 'nova-monolith', port: 8099 },
  target: { service: 'webhook-gateway', port: 8100 },
  config: { virtualService: 'nova' },
};
const istio = ISTIO_SHAPE.dialect('nova');
const gateway = GATEWAY_API_SHAPE.dialect('nova');

describe('Istio route placement', () => {
  const http = [
    { match: [{ uri: { exact: '/health' } }] },
    { match: [{ uri: { prefix: '/admin/' } }] },
    { match: [{ uri: { prefix: '/' } }] },
    { route: [] },
  ];

  it('inserts before the first route that could take the path, not before unrelated ones', () => {
    expect(istioInsertionIndex(http, '/webhook/')).toBe(2);
    expect(istioInsertionIndex([{ match: [{ uri: { regex: '.*' } }] }], '/webhook/')).toBe(0);
    expect(istioInsertionIndex([{ match: [{ headers: { x: { exact: 'y' } } }] }], '/webhook/')).toBe(0);
    expect(istioInsertionIndex(http.slice(0, 2), '/webhook/')).toBe(2);
  });

  it('finds the route it named before one that merely matches the prefix', () => {
    const items = [{ match: [{ uri: { prefix: '/webhook/' } }] }, { name: 'nova-stage-1', match: [] }];
    expect(findItem(ISTIO_SHAPE, items, migration)).toBe(1);
    expect(findItem(ISTIO_SHAPE, items.slice(0, 1), migration)).toBe(0);
    expect(findItem(ISTIO_SHAPE, http, migration)).toBe(-1);
  });

  it('checks hosts, wildcards included', () => {
    expect(servesHost(['bot.example.com'], 'bot.example.com')).toBe(true);
    expect(servesHost(['*.example.com'], 'bot.example.com')).toBe(true);
    expect(servesHost(['other.example.com'], 'bot.example.com')).toBe(false);
    expect(servesHost([], 'bot.example.com')).toBe(true);
  });
});

describe('weighted destinations', () => {
  it('sets legacy to 100 - w and target to w, keeping other fields of existing entries', () => {
    const current = [{ destination: { host: 'nova-monolith.nova.svc.cluster.local', port: { number: 8099 } }, headers: { request: { set: { a: 'b' } } } }];
    const next = weightedEntries(migration, 'route', current, 30, istio);
    expect(next).toEqual([
      { destination: { host: 'nova-monolith.nova.svc.cluster.local', port: { number: 8099 } }, headers: { request: { set: { a: 'b' } } }, weight: 70 },
      { destination: { host: 'webhook-gateway', port: { number: 8100 } }, weight: 30 },
    ]);
    expect(readPair(migration, 'route', next, istio)).toEqual({ weight: 30, exact: true });
  });

  it('refuses to split a route that also sends traffic elsewhere', () => {
    const current = [{ destination: { host: 'nova-monolith' } }, { destination: { host: 'someone-else' } }];
    expect(() => weightedEntries(migration, 'route 3', current, 10, istio)).toThrow(InvalidProviderConfigError);
    expect(() => weightedEntries(migration, 'route 3', current, 10, istio)).toThrow(/route 3 also sends traffic to someone-else/);
  });

  it('reads what the data plane applies, flagging hand-made numbers', () => {
    expect(readPair(migration, 'r', [{ destination: { host: 'nova-monolith' } }], istio)).toEqual({ weight: 0, exact: true });
    expect(readPair(migration, 'r', [{ destination: { host: 'webhook-gateway' } }], istio)).toEqual({ weight: 100, exact: true });
    const odd = [{ destination: { host: 'nova-monolith' }, weight: 1 }, { destination: { host: 'webhook-gateway' }, weight: 3 }];
    expect(readPair(migration, 'r', odd, istio)).toEqual({ weight: 75, exact: false });
    // Gateway API defaults an absent weight to 1: two refs without weights split 50/50.
    expect(readPair(migration, 'r', [{ name: 'nova-monolith', port: 8099 }, { name: 'webhook-gateway', port: 8100 }], gateway)).toEqual({
      weight: 50,
      exact: false,
    });
  });

  it('restores legacy by dropping the target', () => {
    const current = [{ name: 'nova-monolith', port: 8099, weight: 40 }, { name: 'webhook-gateway', port: 8100, weight: 60 }];
    expect(legacyOnlyEntries(migration, 'rule', current, gateway)).toEqual([{ name: 'nova-monolith', port: 8099, weight: 100 }]);
  });

  it('tells backends apart by port and namespace, not only by name', () => {
    expect(gateway.matches({ name: 'nova-monolith', port: 9999 }, migration.legacy)).toBe(false);
    expect(gateway.matches({ name: 'nova-monolith', namespace: 'other', port: 8099 }, migration.legacy)).toBe(false);
    expect(istio.matches({ destination: { host: 'nova-monolith.other.svc.cluster.local' } }, migration.legacy)).toBe(false);
  });
});
