import { describe, expect, it } from '@jest/globals';
import { ProviderSetupError, UnknownProviderError } from './errors.js';
import { builtinProviders } from './index.js';
import type { TrafficProvider } from './provider.js';
import { ProviderRegistry } from './registry.js';

const noop: TrafficProvider = {
  kind: 'fake',
  ensureRoute: () => Promise.resolve(),
  setWeight: () => Promise.resolve(),
  readWeight: () => Promise.resolve(undefined),
  finalize: () => Promise.resolve(),
};

describe('ProviderRegistry', () => {
  it('resolves the one provider a spec names, with its config block', () => {
    const registry = new ProviderRegistry({ fieldManager: 'test' }).register('fake', () => noop);
    const resolved = registry.resolve({ fake: { virtualService: 'nova' } });
    expect(resolved.kind).toBe('fake');
    expect(resolved.provider).toBe(noop);
    expect(resolved.config).toEqual({ virtualService: 'nova' });
  });

  it('builds a provider once and shares it', () => {
    let built = 0;
    const registry = new ProviderRegistry({ fieldManager: 'test' }).register('fake', () => {
      built += 1;
      return noop;
    });
    registry.get('fake');
    registry.resolve({ fake: {} });
    expect(built).toBe(1);
  });

  it('refuses none, several or unknown providers', () => {
    const registry = new ProviderRegistry({ fieldManager: 'test' }).register('fake', () => noop);
    expect(() => registry.resolve({})).toThrow(UnknownProviderError);
    expect(() => registry.resolve({ fake: {}, other: {} })).toThrow(/exactly one provider, got fake, other/);
    expect(() => registry.resolve({ other: {} })).toThrow(/unknown traffic provider "other" \(known: fake\)/);
    expect(() => registry.register('fake', () => noop)).toThrow(ProviderSetupError);
  });

  it('ships istio, ingressNginx, gatewayAPI, nginx and nats, failing only when one is used without what it needs', () => {
    const registry = builtinProviders({ fieldManager: 'test' });
    expect(registry.kinds()).toEqual(['istio', 'ingressNginx', 'gatewayAPI', 'nginx', 'nats']);
    expect(() => registry.get('istio')).toThrow(/"istio" is not available: no kubeConfig/);
    expect(() => registry.get('nginx')).toThrow(ProviderSetupError);
    expect(() => registry.get('nats')).toThrow(/"nats" is not available: this operator runs without NATS \(set NOVA_NATS_URL\)/);
  });
});
