/**
 * The legacy side of stage 4: the monolith (from dist/) runs the same publisher context as the
 * publisher service, and on the routed bus (NOVA_ROUTING=kv, stages 2–6) answers svc.publisher.*
 * on the legacy subjects while the weight is 0, asking the bots context (itself) for the child
 * bot's owner and sealed token over the same bus. A caller on NATS sees the same behaviour as
 * from the service: the channel is linked, the post goes out once, the owner gets the report.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectServiceBus, type NovaBus } from '@nova/bus';
import { PostStatus } from '@nova/contracts';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { ANNA, onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const CHANNEL = { id: -1_002_000_000_101, type: 'channel' as const, title: 'Legacy news' };
let world: World;
let monolith: RunningService;
let bus: NovaBus;
let child: EmulatedBot;
const owner = BigInt(ANNA.id);

beforeAll(async () => {
  world = await World.create('svc_publisher_legacy');
  ({ monolith } = await world.startMonolith('jetstream', { NOVA_ROUTING: 'kv' }));
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
  world.emulator.joinChat(child.id, CHANNEL, { status: 'administrator', canPostMessages: true });
  // A caller routed like every process of the fleet: with no weight written, everything is the monolith's.
  bus = await connectServiceBus('kv', { servers: [world.nats.url], name: 'publisher-legacy-test', metrics: testMetrics(), logger: memoryLogger('publisher-legacy-test').logger });
});

afterAll(async () => {
  await bus.close();
  await world.close();
});

describe('the monolith as the publisher context\'s legacy side', () => {
  // No publisher service runs in this world: every answer below is the monolith's.
  it('links a channel and publishes a post over the routed bus, reporting to the owner', async () => {
    await bus.request('svc.publisher.grant_posting', { telegramId: owner, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner });
    const linked = await bus.request('svc.publisher.link_channel', { ownerTelegramId: owner, botId: BigInt(child.id), chatId: BigInt(CHANNEL.id) }, { routingKey: owner });
    expect(linked.channel).toMatchObject({ chatId: BigInt(CHANNEL.id), botId: BigInt(child.id), title: 'Legacy news' });
    const created = await bus.request('svc.publisher.create_post', { ownerTelegramId: owner, chatIds: [BigInt(CHANNEL.id)], content: { text: 'From the monolith' } }, { routingKey: owner, timeoutMs: 30_000 });
    // PUBLISHED, or PUBLISHING when its send could not start within the request's second (a loaded
    // machine): then its work item sends it. Either way it goes out once, with one report.
    expect([PostStatus.PUBLISHED, PostStatus.PUBLISHING]).toContain(created.post?.status);
    // In the owner's language: Anna's Telegram app speaks Russian (the monolith asks its users context for it).
    const reported = () => world.emulator.calls((call) => call.ok && call.botId === world.mainBot.id && Number(call.params['chat_id']) === ANNA.id && String(call.params['text']).startsWith('Пост #'));
    await until('the post in its channel and the owner\'s report', () => world.emulator.messagesTo(CHANNEL.id, { botId: child.id }).length > 0 && reported().length > 0);
    expect(world.emulator.messagesTo(CHANNEL.id, { botId: child.id }).map((message) => message.text)).toEqual(['From the monolith']);
    expect(reported().map((call) => call.params['text'])).toEqual([`Пост #${String(created.post?.postId)} опубликован в 1 из 1 канала.\n✓ Legacy news`]);
    expectNoSecretsInLogs([monolith], secretsOfRun(world.secrets, [child]));
  });
});
