/**
 * Nothing lost, nothing doubled, on the real parts: the publisher service (its dist/main.js) is
 * SIGKILLed in the middle of a 1,000-channel broadcast through one child bot, with Telegram's
 * documented limits enforced by the emulator, and a fresh process takes over: the publication's
 * work item comes back from JetStream (its ack wait runs out without the dead process's
 * heartbeat), the dead process's per-bot send lease and row leases run out, and the broadcast
 * goes on with the rows no one sent.
 *
 * Telegram's sendMessage has no idempotency key, so the rows the dead process had sent but not
 * yet marked sent go out again (five are made sure of: Telegram posts them and answers only after
 * the kill). The test takes the rows under lease and unsettled at the kill from the database
 * (the dead process's claims, sent or still queued), allows a second message only for those, at
 * most the bot's 30 in flight (plus a few answered and not yet marked), and prints the count:
 * "SIGKILL broadcast: N rows under lease at the kill, M sent twice". Everything else arrives
 * exactly once, and Telegram answered no 429.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { PostStatus } from '@nova/contracts';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { ANNA, onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(420_000);

const CHANNELS = 1_000;
const TEXT = 'Grand opening on Saturday';
const owner = BigInt(ANNA.id);
let world: World;
let bus: NovaBus;
let child: EmulatedBot;
const services: RunningService[] = [];

/** Messages of the broadcast Telegram accepted, per channel. */
function receivedPerChat(): Map<number, number> {
  const received = new Map<number, number>();
  for (const call of world.emulator.calls((c) => c.ok && c.botId === child.id && c.method === 'sendMessage' && c.params['text'] === TEXT)) {
    const chat = Number(call.params['chat_id']);
    received.set(chat, (received.get(chat) ?? 0) + 1);
  }
  return received;
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(run));
}

beforeAll(async () => {
  world = await World.create('svc_broadcast_crash');
  const fleet = await world.startFleet();
  services.push(fleet.gateway, fleet.users, fleet.bots);
  services.push(await world.start('publisher-service', world.publisherEnv()));
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'broadcast-crash-test', metrics: testMetrics(), logger: memoryLogger('broadcast-crash-test').logger });
});

afterAll(async () => {
  await bus.close();
  await world.close();
});

describe('the publisher SIGKILLed mid-broadcast', () => {
  it('sends every channel exactly once but the sends in flight at the kill', async () => {
    const chats = Array.from({ length: CHANNELS }, (_, n) => -1_004_000_000_000 - n);
    for (const id of chats) world.emulator.joinChat(child.id, { id, type: 'channel', title: `Channel ${String(-id)}` }, { status: 'administrator', canPostMessages: true, owner: { id: ANNA.id, first_name: ANNA.first_name } });
    await bus.request('svc.publisher.grant_posting', { telegramId: owner, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner });
    await inBatches(chats, 25, (id) => bus.request('svc.publisher.link_channel', { ownerTelegramId: owner, botId: BigInt(child.id), chatId: BigInt(id) }, { routingKey: owner, timeoutMs: 30_000 }));

    const created = await bus.request('svc.publisher.create_post', { ownerTelegramId: owner, chatIds: chats.map(BigInt), content: { text: TEXT } }, { routingKey: owner, timeoutMs: 30_000 });
    expect(created.post?.status).toBe(PostStatus.PUBLISHING);
    const postId = created.post?.postId ?? 0n;

    await until('a third of the broadcast went out', () => receivedPerChat().size >= CHANNELS / 3, 120_000);
    // Telegram takes the next few messages and answers them only after the kill: surely in flight then.
    const slow = 5;
    const before = world.emulator.calls().at(-1)?.seq ?? 0;
    world.emulator.injectFault(child.id, { answerDelayMs: 15_000, times: slow, methods: ['sendMessage'] });
    await until('Telegram posted the slowly answered messages', () => world.emulator.calls((call) => call.seq > before && call.ok && call.method === 'sendMessage' && call.botId === child.id).length >= slow);
    const first = services.find((service) => service.name.startsWith('publisher-service'));
    expect(await first?.kill('SIGKILL')).toBe('killed by SIGKILL');
    // The dead process writes nothing more: what it left under lease, unsettled, is all that may go out twice.
    const leased = await world.database.query<{ chat: string }>(
      `SELECT chat_id::text AS chat FROM publisher_service.published_posts
        WHERE post_id = $1 AND sent_at IS NULL AND error_code IS NULL AND lease_until IS NOT NULL`, [postId]);
    const leasedAtKill = new Set(leased.rows.map((row) => Number(row.chat)));
    expect(receivedPerChat().size).toBeLessThan(CHANNELS); // killed mid-broadcast, not after

    services.push(await world.start('publisher-service', world.publisherEnv()));
    await until('the broadcast is published', async () => (await world.database.query<{ status: string }>('SELECT status::text FROM publisher_service.posts WHERE id = $1', [postId])).rows[0]?.status === 'PUBLISHED', 240_000);

    const received = receivedPerChat();
    expect(received.size).toBe(CHANNELS);
    const doubled = [...received.entries()].filter(([, count]) => count > 1).map(([chat]) => chat);
    // Only a row the dead process held and had not marked sent can go out twice, and only once more.
    for (const chat of doubled) expect({ chat, count: received.get(chat), leasedAtKill: leasedAtKill.has(chat) }).toEqual({ chat, count: 2, leasedAtKill: true });
    // Of those it had claimed, only the ones it had started sending: the client keeps at most the
    // bot's 30 a second in flight (a few more may have been answered and not yet marked).
    expect(doubled.length).toBeLessThanOrEqual(40);
    // The slowly answered ones were in flight at the kill and went out again: the bound is reached, not just respected.
    expect(doubled.length).toBeGreaterThanOrEqual(slow);
    expect(world.emulator.calls((call) => call.status === 429)).toEqual([]);
    process.stdout.write(`SIGKILL broadcast: ${String(leased.rows.length)} rows under lease at the kill (claimed, sent or not), ${String(doubled.length)} sent twice (${String(slow)} of them answered late on purpose), of ${String(CHANNELS)}\n`);

    const rows = await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM publisher_service.published_posts WHERE post_id = $1 AND sent_at IS NOT NULL', [postId]);
    expect(rows.rows[0]?.n).toBe(CHANNELS);
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, [child]));
  });
});
