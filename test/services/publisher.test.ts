/**
 * The publisher service as a process from dist/, on real parts: its own nats-server, PostgreSQL,
 * the Telegram emulator, and the fleet it needs (the bot service answers svc.bot.get and
 * svc.bot.sealed_token). A child bot added through the main bot's conversation is linked to a
 * channel and posts there over svc.publisher.* on NATS: now, and when a scheduled post falls due
 * (publish_due called as the notification context's scheduler will). The report reaches stream
 * NOVA once and the owner from the main bot, and no log holds a token or secret of the run.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { ErrorCode, PostPublishedSchema, PostStatus, StoryMediaKind, StoryStatus, type PostPublished } from '@nova/contracts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { ANNA, onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { eventually, until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

const CHANNEL = { id: -1_002_000_000_001, type: 'channel' as const, title: 'Anna\'s news' };
let world: World;
let fleet: Fleet;
let publisherService: RunningService;
let bus: NovaBus;
let child: EmulatedBot;
const owner = BigInt(ANNA.id);

beforeAll(async () => {
  world = await World.create('svc_publisher');
  fleet = await world.startFleet();
  publisherService = await world.start('publisher-service', {
    NOVA_NATS_URL: world.nats.url,
    NOVA_DATABASE_URL: world.databaseUrl,
    NOVA_TOKEN_ENCRYPTION_KEY: world.secrets.encryptionKey,
    NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
    NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot,
  });
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
  world.emulator.joinChat(child.id, CHANNEL, { status: 'administrator', canPostMessages: true, owner: { id: ANNA.id, first_name: ANNA.first_name } });
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'publisher-test', metrics: testMetrics(), logger: memoryLogger('publisher-test').logger });
});

afterAll(async () => {
  await bus.close();
  await world.close();
});

/** Reports in stream NOVA for the post (the subject's msgID de-duplicates repeats). */
async function reports(postId: bigint): Promise<PostPublished[]> {
  const found: PostPublished[] = [];
  const info = await world.jsm.streams.info('NOVA');
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const stored = await world.jsm.streams.getMessage('NOVA', { seq }).catch(() => null);
    if (stored?.subject !== 'nova.publisher.post_published') continue;
    const report = fromBinary(PostPublishedSchema, stored.data);
    if (report.post?.postId === postId) found.push(report);
  }
  return found;
}

describe('the publisher service on NATS', () => {
  it('links the channel after Telegram confirms the bot may post, and posts there now', async () => {
    await bus.request('svc.publisher.grant_posting', { telegramId: owner, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner });
    const linked = await bus.request('svc.publisher.link_channel', { ownerTelegramId: owner, botId: BigInt(child.id), chatId: BigInt(CHANNEL.id) }, { routingKey: owner });
    expect(linked.channel).toMatchObject({ chatId: BigInt(CHANNEL.id), botId: BigInt(child.id), title: 'Anna\'s news' });

    const created = await bus.request('svc.publisher.create_post', {
      ownerTelegramId: owner,
      chatIds: [BigInt(CHANNEL.id)],
      content: { text: 'Opening today', entities: [{ type: 'bold', offset: 0, length: 7 }], buttons: [{ buttons: [{ text: 'Map', url: 'https://maps.example/shop' }] }] },
    }, { routingKey: owner, timeoutMs: 30_000 });
    // PUBLISHED, or PUBLISHING when its send could not start within the request's second (a cold
    // process on a loaded machine): then its work item sends it. Either way it goes out once.
    expect([PostStatus.PUBLISHED, PostStatus.PUBLISHING]).toContain(created.post?.status);
    await until('the post in its channel', () => world.emulator.messagesTo(CHANNEL.id, { botId: child.id }).length > 0);
    expect(world.emulator.messagesTo(CHANNEL.id, { botId: child.id })).toMatchObject([{ text: 'Opening today', reply_markup: { inline_keyboard: [[{ text: 'Map', url: 'https://maps.example/shop' }]] } }]);
    const postId = created.post?.postId ?? 0n;
    const [report] = await eventually('the report in stream NOVA', async () => {
      const found = await reports(postId);
      return found.length > 0 ? found : undefined;
    });
    expect(report?.post?.outcomes).toMatchObject([{ chatId: BigInt(CHANNEL.id), sent: true }]);
    // And the owner hears it from the main bot, in her language: Anna's Telegram app speaks Russian
    // (the publisher service asks the user service for it).
    const ownerReports = () => world.emulator.calls((call) => call.ok && call.botId === world.mainBot.id && Number(call.params['chat_id']) === ANNA.id && String(call.params['text']).startsWith(`Пост #${postId.toString()} `));
    await until('the owner\'s report', () => ownerReports().length > 0);
    const owners = ownerReports();
    expect(owners.map((call) => call.params['text'])).toEqual([`Пост #${postId.toString()} опубликован в 1 из 1 канала.\n✓ Anna's news`]);
  });

  it('publishes a scheduled post once it is due, once, however often publish_due is called', async () => {
    const at = new Date(Date.now() + 2_000);
    const created = await bus.request('svc.publisher.create_post', {
      ownerTelegramId: owner,
      chatIds: [BigInt(CHANNEL.id)],
      content: { text: 'Scheduled hello' },
      publishAt: timestampFromDate(at),
    }, { routingKey: owner });
    expect(created.post?.status).toBe(PostStatus.SCHEDULED);
    const postId = created.post?.postId ?? 0n;
    // The scheduler's ticks: called until the post is published (state, not a timer racing it).
    await until('the scheduled post published', async () => {
      const due = await bus.request('svc.publisher.publish_due', {}, { timeoutMs: 30_000 });
      return due.publishedPostIds.includes(postId) || (await reports(postId)).length > 0;
    }, 60_000, 250);
    const published = world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.params['text'] === 'Scheduled hello');
    expect(published).toHaveLength(1);
    expect(published[0]?.at).toBeGreaterThanOrEqual(at.getTime() - 1_000);
    await bus.request('svc.publisher.publish_due', {}, { timeoutMs: 30_000 });
    expect(world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.params['text'] === 'Scheduled hello')).toHaveLength(1);
    const listed = await bus.request('svc.publisher.list_posts', { ownerTelegramId: owner, status: PostStatus.PUBLISHED }, { routingKey: owner });
    expect(listed.posts.map((post) => post.postId)).toContain(postId);
  });

  it('refuses bad input over the bus with its typed error, and no log holds a secret', async () => {
    const refused = await bus.request('svc.publisher.create_post', { ownerTelegramId: owner, chatIds: [BigInt(CHANNEL.id)], content: { text: 'x'.repeat(4097) } }, { routingKey: owner }).then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'content.text' } });
    expectNoSecretsInLogs([fleet.gateway, fleet.users, fleet.bots, publisherService], secretsOfRun(world.secrets, [child]));
  });

  it('posts a story through the business connection Telegram told the child bot about (gateway → bot service → publisher)', async () => {
    const media = createServer((_request, response) => { response.writeHead(200).end(new Uint8Array(2048).fill(9)); });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    try {
      const connection = world.emulator.connectBusiness(child.id, { user: ANNA, canManageStories: true });
      const request = {
        ownerTelegramId: owner, botId: BigInt(child.id), activePeriodSeconds: 43_200, caption: 'Story from the service', effectKey: 'svc-story-1',
        content: { kind: StoryMediaKind.PHOTO, mediaUrl: `http://127.0.0.1:${String((media.address() as AddressInfo).port)}/story.jpg` },
      };
      // Refused (nothing stored) until the business_connection update has gone through the fleet.
      const story = await eventually('the story posted', async () => {
        const answer = await bus.request('svc.publisher.post_story', request, { routingKey: owner, timeoutMs: 30_000 }).catch(() => undefined);
        return answer?.story;
      });
      expect(story).toMatchObject({ status: StoryStatus.POSTED, businessConnectionId: connection.id, telegramChatId: owner });
      expect(world.emulator.storiesOf(child.id)).toEqual([expect.objectContaining({ businessConnectionId: connection.id, activePeriod: 43_200, caption: 'Story from the service' })]);
    } finally {
      await new Promise<void>((resolve) => media.close(() => { resolve(); }));
    }
  });
});
