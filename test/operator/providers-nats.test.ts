/**
 * The nats provider against a real nats-server, with real KvRouters standing in for the fleet's
 * processes: the weight lives in nova_routing under the context's key, a write is confirmed only
 * once every live process applied it, and a stale writer (an old revision, or an old fence after
 * a fresh read) is refused without changing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { encodeAppliedRecord, parseRoutingRecord } from '@nova/contracts';
import { freePort } from '@nova/testbed';
import {
  builtinProviders,
  ContextOwnedError,
  DataPlaneUnavailableError,
  InvalidProviderConfigError,
  ProviderSetupError,
  RouteConflictError,
  RouteNotFoundError,
  StaleWeightWriteError,
  WeightNotAppliedError,
  type ProviderMigration,
  type TrafficProvider,
} from '../../operator/src/providers/index.js';
import { NatsRoutingStore } from '../../operator/src/providers/nats-store.js';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE, ROOT } from '../bus/support/processes.js';
import { routingBuckets, startPrivateNats, startRoutingProcess, until, weightHistory, type RoutingProcess } from '../routing/support/fleet.js';

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let provider: TrafficProvider;
let nc: NatsConnection;
let routing: KV;
let applied: KV;
const processes: RoutingProcess[] = [];

const sides = { legacy: { service: 'nova-monolith', port: 8099 }, target: { service: 'user-service', port: 8101 } };

function migration(context: string, uid: string, fence: number, name = `stage-${context}`): ProviderMigration {
  return { namespace: 'nova', name, uid, ...sides, config: { context }, fence };
}

async function stored(context: string): Promise<{ weight: number; fence: number; released: boolean; owner: string; revision: number } | undefined> {
  const entry = await routing.get(context);
  if (entry === null || entry.operation !== 'PUT') return undefined;
  const record = parseRoutingRecord(entry.value);
  return { weight: record.weight, fence: record.fence, released: record.released, owner: record.owner.uid, revision: entry.revision };
}

beforeAll(async () => {
  nats = await startPrivateNats();
  provider = builtinProviders({ fieldManager: 'nova-operator', nats: { servers: [nats.info.url], applyTimeoutMs: 1_500 } }).get('nats');
  // Two processes of the fleet, one per side, route by the bucket from the start.
  processes.push(await startRoutingProcess(nats.info.url, 'monolith-a', 'legacy'), await startRoutingProcess(nats.info.url, 'user-service-a', 'target'));
  nc = await connect({ servers: [nats.info.url] });
  ({ routing, applied } = await routingBuckets(nc));
});

afterAll(async () => {
  await provider.close?.();
  for (const process of processes) await process.stop().catch(() => undefined);
  await nc.close();
  await nats.stop();
});

describe('nats provider', () => {
  it('needs ensureRoute first, which writes the context at 0 % for its migration', async () => {
    const users = migration('user', 'uid-users', 1);
    await expect(provider.setWeight(users, 10)).rejects.toThrow(RouteNotFoundError);
    expect(await provider.readWeight(users)).toBeUndefined();
    await provider.ensureRoute(users);
    expect(await stored('user')).toMatchObject({ weight: 0, fence: 1, released: false, owner: 'uid-users' });
    await until('both processes applied the new key', async () => (await provider.readWeight(users))?.exact === true);
    expect(await provider.readWeight(users)).toEqual({ weight: 0, exact: true });
  });

  it('confirms a weight only once every live process routes by it', async () => {
    const users = migration('user', 'uid-users', 2);
    await provider.setWeight(users, 30);
    // setWeight returned: both processes already route by it, and say so.
    expect(processes.map((process) => process.router.weight('user').weight)).toEqual([30, 30]);
    expect(await provider.readWeight(users)).toEqual({ weight: 30, exact: true });
    // ensureRoute on an existing key leaves the weight alone.
    await provider.ensureRoute(users);
    expect(await stored('user')).toMatchObject({ weight: 30, fence: 2 });
  });

  it('holds confirmation while a live process lags, and gives it once the laggard applies or drops out', async () => {
    const users = migration('user', 'uid-users', 3);
    const before = await stored('user');
    // A process stuck at the old revision keeps heartbeating it (its watch is wedged).
    const stuck = { process: 'stuck-process', side: 'legacy' as const, revision: before?.revision ?? 0, weight: 30, at: new Date().toISOString() };
    const beat = setInterval(() => { void applied.put('user.stuck-process', encodeAppliedRecord({ ...stuck, at: new Date().toISOString() })); }, 200);
    await applied.put('user.stuck-process', encodeAppliedRecord(stuck));
    try {
      const refusal = await provider.setWeight(users, 60).then(() => undefined, (error: unknown) => error);
      expect(refusal).toBeInstanceOf(WeightNotAppliedError);
      expect((refusal as WeightNotAppliedError).lagging).toEqual(['stuck-process (30%)']);
      // Written, not confirmed: the reading is the laggard's weight, inexact (the engine will not confirm it).
      expect(await stored('user')).toMatchObject({ weight: 60, fence: 3 });
      expect(await provider.readWeight(users)).toEqual({ weight: 30, exact: false });
    } finally {
      clearInterval(beat);
    }
    // The stuck process is gone (its record expires with the bucket's TTL; deleted here to be quick).
    await applied.delete('user.stuck-process');
    await provider.setWeight(users, 60);
    expect(await provider.readWeight(users)).toEqual({ weight: 60, exact: true });
  });

  it('refuses a stale leader that read the newest revision but holds an older status (its fence is lower)', async () => {
    const current = migration('user', 'uid-users', 5);
    await provider.setWeight(current, 80);
    const revision = (await stored('user'))?.revision;
    // The old leader's status said 60 with fence 3; it re-reads the key (drift correction) and writes.
    const staleLeader = migration('user', 'uid-users', 3);
    expect(await provider.readWeight(staleLeader)).toEqual({ weight: 80, exact: true });
    const refusal = await provider.setWeight(staleLeader, 60).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(StaleWeightWriteError);
    expect(refusal).toBeInstanceOf(RouteConflictError); // the reconciler reports RouteConflict and retries
    expect((refusal as Error).message).toContain('fence 5, newer than this write\'s 3');
    expect(await stored('user')).toMatchObject({ weight: 80, fence: 5, revision });
    expect(processes.every((process) => process.router.weight('user').weight === 80)).toBe(true);
  });

  it('refuses a write based on an old revision at the compare-and-set, and writes nothing', async () => {
    const store = new NatsRoutingStore({ servers: [nats.info.url] });
    const users = migration('user', 'uid-users', 6);
    try {
      const read = await store.read(users, 'user');
      if (read?.record === undefined) throw new Error('no user key');
      await provider.setWeight(users, 90); // someone else writes in between
      const afterOther = await stored('user');
      const revision = await store.compareAndSet(users, 'user', { ...read.record, weight: 10, fence: 6 }, read);
      expect(revision).toBeUndefined();
      expect(await stored('user')).toEqual(afterOther);
      // The same directly on the bucket: JetStream itself refuses the stale revision.
      await expect(routing.update('user', new TextEncoder().encode('{}'), read.revision)).rejects.toThrow(/wrong last sequence/iu);
    } finally {
      await store.close();
    }
  });

  it('lets the higher fence win when two operators race', async () => {
    const a = migration('user', 'uid-users', 7);
    const b = migration('user', 'uid-users', 8);
    const [, newer] = await Promise.allSettled([provider.setWeight(a, 40), provider.setWeight(b, 50)]);
    // Whatever the interleaving, the newer decision stands; the older was refused or overwritten.
    expect(await stored('user')).toMatchObject({ weight: 50, fence: 8 });
    expect(newer.status).toBe('fulfilled');
    const history = await weightHistory(routing, 'user');
    const fences = history.map((entry) => entry.fence);
    expect([...fences].sort((x, y) => x - y)).toEqual(fences); // fences never went down
  });

  it('keeps a context to one migration, until its finalizer releases it', async () => {
    const other = migration('user', 'uid-other', 1, 'stage-user-again');
    const owned = await provider.ensureRoute(other).then(() => undefined, (error: unknown) => error);
    expect(owned).toBeInstanceOf(ContextOwnedError);
    expect((owned as Error).message).toContain('belongs to migration nova/stage-user (uid uid-users)');

    const users = migration('user', 'uid-users', 8);
    await provider.finalize(users, 'restoreLegacy');
    expect(await stored('user')).toMatchObject({ weight: 0, released: true, owner: 'uid-users' });
    expect(processes.every((process) => process.router.weight('user').weight === 0)).toBe(true);
    // The deleted migration's stale leader can never write it again.
    await expect(provider.setWeight(migration('user', 'uid-users', 99), 70)).rejects.toThrow(ContextOwnedError);
    await expect(provider.ensureRoute(users)).rejects.toThrow(ContextOwnedError);
    await provider.finalize(users, 'restoreLegacy'); // idempotent

    await provider.ensureRoute(other);
    expect(await stored('user')).toMatchObject({ weight: 0, fence: 1, released: false, owner: 'uid-other' });
  });

  it('leaveAsIs keeps the weight and releases the key', async () => {
    const bots = migration('bot', 'uid-bots', 1);
    await provider.ensureRoute(bots);
    await provider.setWeight({ ...bots, fence: 2 }, 100);
    await provider.finalize({ ...bots, fence: 2 }, 'leaveAsIs');
    expect(await stored('bot')).toMatchObject({ weight: 100, released: true });
    expect(processes.every((process) => process.router.weight('bot').weight === 100)).toBe(true);
  });

  it('does not count a process that stopped once its applied record lapses', async () => {
    const payments = migration('payment', 'uid-payments', 1);
    const extra = await startRoutingProcess(nats.info.url, 'payment-service-a', 'target');
    await provider.ensureRoute(payments);
    await until('the extra process applied the payment key', async () => (await applied.get('payment.payment-service-a'))?.operation === 'PUT');
    await extra.stop();
    // Its record (revision of the ensureRoute write) stays until the bucket's TTL; meanwhile a new weight waits for it.
    await expect(provider.setWeight({ ...payments, fence: 2 }, 20)).rejects.toThrow(WeightNotAppliedError);
    await applied.delete('payment.payment-service-a'); // what the TTL does after 15 s
    await provider.setWeight({ ...payments, fence: 2 }, 20);
    expect(await provider.readWeight(payments)).toEqual({ weight: 20, exact: true });
  });

  it('names a context no live target process handles, from the applied records, and nothing once one does', async () => {
    const notifications = migration('notification', 'uid-notifications', 1);
    await provider.ensureRoute(notifications);
    // The fleet so far only routes to `notification` (its records say handles: false): no target handles it.
    await until('both processes applied the bot key', async () => (await applied.get('notification.user-service-a'))?.operation === 'PUT' && (await applied.get('notification.monolith-a'))?.operation === 'PUT');
    await until('the records say whether they handle notification', async () => (await applied.get('notification.user-service-a'))?.string().includes('"handles":false') === true);
    expect(await provider.targetProblem?.(notifications)).toMatch(/^no live process of the target handles the notification context \(live target processes: user-service-a;/u);
    // A notification service starts and runs the context's scheduler: its record says so.
    const handler = await startRoutingProcess(nats.info.url, 'notification-service-a', 'target');
    handler.router.handling('notification');
    await until('the handler\'s record', async () => (await applied.get('notification.notification-service-a'))?.string().includes('"handles":true') === true);
    expect(await provider.targetProblem?.(notifications)).toBeUndefined();
    // It dies: once its record lapses (the bucket's TTL, 15 s; deleted here) the target has no handler again.
    await handler.stop();
    await applied.delete('notification.notification-service-a');
    expect(await provider.targetProblem?.(notifications)).toMatch(/no live process of the target handles the notification context/u);
  });

  it('refuses bad configuration clearly', async () => {
    await expect(provider.ensureRoute(migration('users', 'u', 1))).rejects.toThrow(InvalidProviderConfigError);
    await expect(provider.ensureRoute(migration('users', 'u', 1))).rejects.toThrow('trafficProvider.nats.context must be one of user, bot, publisher, payment, notification; got "users"');
    await expect(provider.setWeight(migration('user', 'uid-other', 1), 101)).rejects.toThrow(InvalidProviderConfigError);
    expect(() => builtinProviders({ fieldManager: 'nova-operator' }).get('nats')).toThrow(ProviderSetupError);
  });

  it('reports an unreachable NATS as DataPlaneUnavailable, without the credentials of its URL', async () => {
    const port = await freePort();
    const unreachable = builtinProviders({ fieldManager: 'nova-operator', nats: { servers: [`nats://nova:s3cret-pass@127.0.0.1:${String(port)}`] } }).get('nats');
    const error = await unreachable.ensureRoute(migration('user', 'u', 1)).then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeInstanceOf(DataPlaneUnavailableError);
    expect((error as Error).message).toContain('NATS KV bucket nova_routing is unreachable');
    expect((error as Error).message).not.toContain('s3cret-pass');
    await unreachable.close?.();
  });

  it('is configured by NOVA_NATS_URL: the operator refuses one that is not, naming the variable and not its value', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'nova-home-')), NOVA_NATS_URL: 'http://nova:s3cret-pass@127.0.0.1:4222' };
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(NODE, [join(ROOT, 'operator/dist/main.js')], { env }, (_error, _stdout, stderr) => { done({ code: child.exitCode, stderr }); });
    });
    expect(code).toBe(1);
    expect(stderr).toContain('NOVA_NATS_URL: expected comma-separated nats://host:port URLs');
    expect(stderr).not.toContain('s3cret-pass');
  });
});
