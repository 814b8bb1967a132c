/**
 * NOVA_ROUTING from the chart: one value (nats.routing) turns routing on the bus on for every
 * deployable at once, and the chart refuses a routed fleet whose monolith would process updates
 * inline (nobody would read what the fleet addresses to it).
 */
import { describe, expect, it } from '@jest/globals';
import { renderedObjects, templateChart, type RenderedObject } from './support/chart.js';

interface Container { readonly name: string; readonly env?: readonly { readonly name: string; readonly value?: string }[] }

function routingOf(objects: readonly RenderedObject[]): Record<string, string | undefined> {
  const deployments = objects.filter((object) => object.kind === 'Deployment' && object.metadata.name !== 'nova-operator');
  return Object.fromEntries(deployments.map((deployment) => {
    const containers = (deployment as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
    return [deployment.metadata.name, containers[0]?.env?.find((variable) => variable.name === 'NOVA_ROUTING')?.value];
  }));
}

describe('nats.routing', () => {
  it('is off on every deployable by default', async () => {
    const routing = routingOf(await renderedObjects({}));
    expect(Object.keys(routing)).toEqual(expect.arrayContaining(['nova-monolith', 'webhook-gateway', 'user-service', 'bot-service']));
    expect(new Set(Object.values(routing))).toEqual(new Set(['off']));
  });

  it('turns kv on for every deployable at once, with the monolith on JetStream', async () => {
    const routing = routingOf(await renderedObjects({ nats: { routing: 'kv' }, services: { 'nova-monolith': { env: { NOVA_MONOLITH_UPDATES: 'jetstream' } } } }));
    expect(new Set(Object.values(routing))).toEqual(new Set(['kv']));
  });

  it('refuses kv while the monolith processes updates inline, and a value it does not know', async () => {
    const inline = await templateChart({ namespace: 'nova', values: { nats: { routing: 'kv' } } });
    expect(inline.code).not.toBe(0);
    expect(inline.stderr).toContain('nats.routing kv needs services.nova-monolith.env.NOVA_MONOLITH_UPDATES: jetstream');
    const unknown = await templateChart({ namespace: 'nova', values: { nats: { routing: 'on' } } });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/\/nats\/routing/);
  });
});
