import { describe, expect, it } from '@jest/globals';
import { InvalidProviderConfigError } from './errors.js';
import { CANARY, CANARY_WEIGHT, CANARY_WEIGHT_TOTAL, canaryIngress, findPrimaryRoute, readCanaryWeight, type IngressView } from './ingress-nginx.js';
import type { ProviderMigration } from './provider.js';

const migration: ProviderMigration = {
  namespace: 'nova',
  name: 'stage-1',
  uid: 'uid-1',
  route: { host: 'bot.example.com', pathPrefix: '/webhook/' },
  legacy: { service: 'nova-monolith', port: 8099 },
  target: { service: 'webhook-gateway', port: 8100 },
  config: { ingress: 'nova' },
};

const primary: IngressView = {
  metadata: { name: 'nova' },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'bot.example.com',
        http: {
          paths: [
            { path: '/admin/', pathType: 'Prefix', backend: { service: { name: 'nova-monolith', port: { number: 8099 } } } },
            { path: '/webhook/', pathType: 'Prefix', backend: { service: { name: 'nova-monolith', port: { number: 8099 } } } },
          ],
        },
      },
    ],
  },
};

describe('ingress-nginx canary', () => {
  it('copies host, path type and class from the primary and points the path at the target', () => {
    const canary = canaryIngress(migration, findPrimaryRoute(migration, primary), 25);
    expect(canary.metadata.name).toBe('nova-stage-1');
    expect(canary.metadata.annotations[CANARY]).toBe('true');
    expect(canary.metadata.annotations[CANARY_WEIGHT]).toBe('25');
    expect(canary.metadata.ownerReferences).toEqual([{ apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', name: 'stage-1', uid: 'uid-1', controller: true }]);
    expect(canary.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'bot.example.com',
          http: { paths: [{ path: '/webhook/', pathType: 'Prefix', backend: { service: { name: 'webhook-gateway', port: { number: 8100 } } } }] },
        },
      ],
    });
  });

  it('refuses a primary without the path, or one that does not send it to legacy', () => {
    expect(() => findPrimaryRoute({ ...migration, route: { pathPrefix: '/pay/' } }, primary)).toThrow(InvalidProviderConfigError);
    expect(() => findPrimaryRoute({ ...migration, legacy: { service: 'other', port: 1 } }, primary)).toThrow(/not to legacy other/);
  });

  it('reads the weight, flagging values the operator would not write', () => {
    expect(readCanaryWeight({ metadata: { annotations: { [CANARY]: 'true', [CANARY_WEIGHT]: '40' } } })).toEqual({ weight: 40, exact: true });
    expect(readCanaryWeight({ metadata: { annotations: { [CANARY]: 'true', [CANARY_WEIGHT]: '400', [CANARY_WEIGHT_TOTAL]: '1000' } } })).toEqual({
      weight: 40,
      exact: false,
    });
    expect(readCanaryWeight({ metadata: { annotations: { [CANARY]: 'false', [CANARY_WEIGHT]: '40' } } })).toEqual({ weight: 0, exact: false });
  });
});
