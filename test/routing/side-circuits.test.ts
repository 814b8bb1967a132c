/**
 * A canary's failing target must not cut off the chats the monolith still serves: the caller
 * keeps one circuit breaker per side's callee (`svc.user` for the target, `svc.legacy.user` for
 * the monolith), on real NATS with the real KvRouter. At weight 50 the target fails every request
 * (its database gone): its circuit opens after the breaker's threshold (5 failures in the last 10
 * calls) and fails fast, while every legacy chat is still answered and its circuit stays closed.
 * What the target never answered is counted by the caller against the target's side.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CircuitOpenError, InternalError, NoRespondersError, routingBucket } from '@nova/bus';
import { sample, startBusProcess, startPrivateNats, Weights, type BusProcess } from './support/fleet.js';

const CHATS = Array.from({ length: 200 }, (_, index) => 410_000_000 + index * 104_729);
const TARGET_CHATS = CHATS.filter((chat) => routingBucket('user', String(chat)) < 50);
const LEGACY_CHATS = CHATS.filter((chat) => routingBucket('user', String(chat)) >= 50);

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let weights: Weights;
let legacy: BusProcess;
let target: BusProcess;
let caller: BusProcess;
let targetCalls = 0;

/** Every circuit the caller exported, and its state (0 closed, 1 half-open, 2 open). */
async function circuits(): Promise<Record<string, number>> {
  const metric = await caller.metrics.registry.getSingleMetric('nova_circuit_state')?.get();
  return Object.fromEntries((metric?.values ?? []).map((value) => [String(value.labels.circuit), value.value]));
}

beforeAll(async () => {
  nats = await startPrivateNats();
  [legacy, target, caller] = await Promise.all([
    startBusProcess(nats.info.url, 'monolith-1', 'legacy'),
    startBusProcess(nats.info.url, 'user-service-1', 'target'),
    startBusProcess(nats.info.url, 'bot-service-1', 'target'),
  ]);
  await legacy.bus.serve('user', { 'svc.user.get': (request) => Promise.resolve({ user: { telegramId: request.telegramId, firstName: 'legacy' } }) });
  await target.bus.serve('user', {
    'svc.user.get': () => {
      targetCalls += 1;
      return Promise.reject(new Error('relation "user_service.users": permission denied'));
    },
  });
  weights = new Weights(nats.info.url);
  await weights.set('user', 50);
});

afterAll(async () => {
  await Promise.all([legacy.bus.close(), target.bus.close(), caller.bus.close()]);
  await weights.close();
  await nats.stop();
});

it('opens the target\'s circuit only; the monolith\'s chats are still answered', async () => {
  expect(TARGET_CHATS.length).toBeGreaterThan(20);
  expect(LEGACY_CHATS.length).toBeGreaterThan(20);
  const ask = (chat: number): Promise<unknown> => caller.bus.request('svc.user.get', { telegramId: BigInt(chat) }, { routingKey: chat }).then((reply) => reply, (error: unknown) => error);

  // One at a time, so the count at which the circuit opens is exact.
  const outcomes: unknown[] = [];
  for (const chat of TARGET_CHATS.slice(0, 10)) outcomes.push(await ask(chat));
  expect(outcomes.slice(0, 5).every((outcome) => outcome instanceof InternalError)).toBe(true);
  expect(outcomes.slice(5).every((outcome) => outcome instanceof CircuitOpenError)).toBe(true);
  expect(targetCalls).toBe(5);
  expect(await sample(caller.metrics, 'nova_circuit_state', { circuit: 'svc.user' })).toBe(2);

  const answers = await Promise.all(LEGACY_CHATS.map(ask));
  expect(answers.map((answer) => (answer as { user?: { firstName: string } }).user?.firstName)).toEqual(LEGACY_CHATS.map(() => 'legacy'));
  expect(await circuits()).toEqual({ 'svc.user': 2, 'svc.legacy.user': 0 });
  // Still open for the target's chats: nothing more reached it.
  expect(await ask(TARGET_CHATS[0] ?? 0)).toBeInstanceOf(CircuitOpenError);
  expect(targetCalls).toBe(5);
  // The target never saw the fail-fast requests, so the caller counts them against it: the
  // analysis of a bus migration adds them to the target's requests and errors.
  expect(await sample(caller.metrics, 'nova_bus_unanswered_requests_total', { context: 'user', callee_side: 'target', reason: 'circuit_open' })).toBe(6);
  expect(await sample(caller.metrics, 'nova_bus_unanswered_requests_total', { callee_side: 'legacy' })).toBe(0);
});

it('counts a request nobody on its side answers against that side', async () => {
  // No weight for `bot`: everything goes to the monolith's subjects, where nothing serves it here.
  const error = await caller.bus.request('svc.bot.get', { botId: 1n }, { routingKey: 7 }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(NoRespondersError);
  expect(await sample(caller.metrics, 'nova_bus_unanswered_requests_total', { context: 'bot', callee_side: 'legacy', reason: 'no_responders' })).toBe(1);
});
