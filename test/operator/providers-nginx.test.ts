/**
 * The plain nginx provider against a real nginx serving two real upstreams (node:http servers
 * that count what they receive): the measured split matches the weight, a configuration nginx
 * refuses leaves the old split serving, and two migrations on two paths of one nginx move
 * independently.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Stack, type SupervisedProcess } from '@nova/testbed';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import {
  builtinProviders,
  DataPlaneRejectedError,
  RouteNotFoundError,
  type NginxInstanceOptions,
  type ProviderMigration,
  type TrafficProvider,
} from '../../operator/src/providers/index.js';
import { migrationFiles } from '../../operator/src/providers/nginx-files.js';
import { measuredShare, N, startNginxFront, TOLERANCE, upstream } from './support/nginx.js';

describe('nginx provider on a real nginx', () => {
  let stack: Stack;
  let nginx: SupervisedProcess;
  let instance: NginxInstanceOptions;
  let provider: TrafficProvider;
  let base: string;
  let legacy: { server: Server; port: number };
  let target: { server: Server; port: number };
  let webhook: ProviderMigration;
  let payments: ProviderMigration;

  beforeAll(async () => {
    [legacy, target] = await Promise.all([upstream('legacy'), upstream('target')]);
    stack = Stack.create();
    ({ nginx, instance, base } = await startNginxFront(stack, legacy.port));
    provider = builtinProviders({ fieldManager: 'nova-operator', nginx: instance }).get('nginx');
    const sides = { legacy: { service: '127.0.0.1', port: legacy.port }, target: { service: '127.0.0.1', port: target.port } };
    webhook = { namespace: 'nova', name: 'stage-1-webhook', uid: 'u1', route: { pathPrefix: '/webhook/' }, ...sides, config: {} };
    payments = { namespace: 'nova', name: 'stage-5-payments', uid: 'u2', route: { pathPrefix: '/payments/' }, ...sides, config: {} };
  });

  afterAll(async () => {
    await stack.stop();
    legacy.server.close();
    target.server.close();
  });

  it('needs ensureRoute first, which routes the path at 100 % legacy', async () => {
    await expect(provider.setWeight(webhook, 30)).rejects.toThrow(RouteNotFoundError);
    expect(await provider.readWeight(webhook)).toBeUndefined();
    await provider.ensureRoute(webhook);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(0);
  });

  it('splits 30 % then 70 % of real requests to the target', async () => {
    await provider.setWeight(webhook, 30);
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.3)).toBeLessThanOrEqual(TOLERANCE);
    await provider.setWeight(webhook, 70);
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.7)).toBeLessThanOrEqual(TOLERANCE);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 70, exact: true });
    // Paths that no migration owns stay with the rest of the configuration.
    expect(await measuredShare(`${base}/other`, 20)).toBe(0);
  });

  it('keeps the old split serving when nginx refuses the new configuration', async () => {
    const files = migrationFiles(instance.confDir, webhook);
    const before = await readFile(files.upstream, 'utf8');
    // A target host that does not resolve: valid to us, refused by `nginx -t` ("host not found in upstream").
    const broken = { ...webhook, target: { service: 'nova-no-such-service.invalid', port: 8100 } };
    const failure = provider.setWeight(broken, 10);
    await expect(failure).rejects.toThrow(DataPlaneRejectedError);
    await expect(failure).rejects.toThrow(/host not found/);
    expect(await readFile(files.upstream, 'utf8')).toBe(before);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 70, exact: true });
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.7)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('moves two paths of one nginx concurrently without undoing each other', async () => {
    await provider.ensureRoute(payments);
    for (let round = 0; round < 6; round++) {
      const [a, b] = [(round * 17 + 3) % 101, (round * 29 + 60) % 101];
      await Promise.all([provider.setWeight(webhook, a), provider.setWeight(payments, b)]);
      expect([await provider.readWeight(webhook), await provider.readWeight(payments)]).toEqual([
        { weight: a, exact: true },
        { weight: b, exact: true },
      ]);
    }
    await Promise.all([provider.setWeight(webhook, 100), provider.setWeight(payments, 0)]);
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(1);
    expect(await measuredShare(`${base}/payments/x`, 50)).toBe(0);
  });

  it('finalizes: restoreLegacy sends everything to legacy and forgets the target; leaveAsIs changes nothing', async () => {
    await provider.setWeight(payments, 100);
    await provider.finalize(payments, 'leaveAsIs');
    expect(await measuredShare(`${base}/payments/x`, 30)).toBe(1);
    await provider.finalize(webhook, 'restoreLegacy');
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(0);
    expect(await readFile(migrationFiles(instance.confDir, webhook).upstream, 'utf8')).not.toContain(String(target.port));
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(nginx.running).toBe(true);
  });
});
