/**
 * Issue 21 on the real fleet: Telegram delivers a bot's updates up to max_connections at once
 * (one chat's one at a time), so the gateway takes many chats' updates in parallel. What the fleet
 * promises then (docs/telegram.md, "Webhook delivery in parallel"): each chat's updates are stored
 * in stream TELEGRAM, and so processed, in the order Telegram sent them; each is stored once and
 * answered once; across chats there is no order.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import type { EmulatedBot, Update, UserSpec } from '@nova/telegram-emulator';
import { onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(180_000);

const CHATS = 20;
const MESSAGES_PER_CHAT = 4;

let world: World;
let fleet: Fleet;
let child: EmulatedBot;

function person(i: number): UserSpec {
  return { id: 80_000 + i, first_name: `Q${String(i)}` };
}

beforeAll(async () => {
  world = await World.create('svc_parallel');
  fleet = await world.startFleet();
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
});

afterAll(async () => {
  await world.close();
});

it('stores and answers each chat\'s updates once, in the order Telegram sent them, while many chats are delivered at once', async () => {
  const storedBefore = await world.streamMessages('TELEGRAM');
  const firstSeq = (await world.jsm.streams.info('TELEGRAM')).state.last_seq + 1;
  const sent: Update[] = [];
  for (let round = 0; round < MESSAGES_PER_CHAT; round++) {
    for (let i = 0; i < CHATS; i++) sent.push(world.emulator.userSends(child.token, { from: person(i), text: `message ${String(round)}` }));
  }
  const replies = (chatId: number): number => world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === child.id && Number(call.params.chat_id) === chatId).length;
  await until('every chat answered once per message', () => Array.from({ length: CHATS }, (_, i) => replies(person(i).id)).every((count) => count >= MESSAGES_PER_CHAT));

  // The gateway took several chats at once (the bot service asked Telegram for 100 connections).
  const delivery = world.emulator.deliveryState(child.id);
  expect(delivery.maxConnections).toBe(100);
  expect(delivery.maxInFlightSeen).toBeGreaterThan(1);
  expect(delivery.droppedUpdateCount).toBe(0);

  // Each update stored once; per chat in the order Telegram sent them (the bots context consumes a chat's partition in stream order).
  await until('every update stored', async () => (await world.streamMessages('TELEGRAM')) === storedBefore + sent.length);
  const chatOf = new Map(sent.map((update) => [update.update_id, update.message?.chat.id ?? 0]));
  const storedPerChat = new Map<number, number[]>();
  for (let seq = firstSeq; seq < firstSeq + sent.length; seq++) {
    const stored = await world.jsm.streams.getMessage('TELEGRAM', { seq });
    const [botId, updateId] = (stored?.header.get('Nats-Msg-Id') ?? '').split(':').map(Number);
    expect(botId).toBe(child.id);
    const chat = chatOf.get(updateId ?? 0) ?? 0;
    storedPerChat.set(chat, [...(storedPerChat.get(chat) ?? []), updateId ?? 0]);
  }
  for (let i = 0; i < CHATS; i++) {
    const chat = person(i).id;
    expect(storedPerChat.get(chat)).toEqual(sent.filter((update) => update.message?.chat.id === chat).map((update) => update.update_id));
    expect(replies(chat)).toBe(MESSAGES_PER_CHAT);
  }
  expect(await world.streamMessages('DLQ')).toBe(0);
  expectNoSecretsInLogs([fleet.gateway, fleet.users, fleet.bots], secretsOfRun(world.secrets, [child]));
});
