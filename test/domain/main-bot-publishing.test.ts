/**
 * The main bot's publishing commands across contexts on one real JetStream bus (a nats-server of
 * this file's own) and the test bed's PostgreSQL: the bots context's update processor with its
 * bus desks (BusPublisherDesk, as startBotContext wires it) and the publisher context as
 * startPublisherContext assembles it, Telegram played by the emulator, story media by a real
 * HTTP server. A person links a channel, lists it, posts now and later, lists, changes and cancels posts,
 * and posts a story once a business account connected their bot; bad input gets a clear reply.
 * The users context's handlers are served on the same bus: the publisher asks them (svc.user.get)
 * for each owner's language, so Petr, whose Telegram app speaks Russian, gets his report in Russian;
 * the publisher's refusals come as reason codes, worded by the main bot in the owner's language.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { NovaBus } from '@nova/bus';
import { createBotHandlers, createUpdateProcessor, publishingTexts, type UpdateProcessingDeps, type UpdateProcessor } from '@nova/bot-service/domain';
import { BusPublisherDesk } from '@nova/bot-service/wiring';
import { createLogger, Metrics, Readiness } from '@nova/platform';
import { startPublisherContext } from '@nova/publisher-service/wiring';
import { createUserHandlers } from '@nova/user-service/domain';
import { serveContext } from '@nova/wiring';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { waitFor } from '@nova/testbed';
import { BotContextFixture, type TelegramPerson } from './support/bot-context.js';

const olga: TelegramPerson = { id: 7_880_001, first_name: 'Olga' };
const petr: TelegramPerson = { id: 7_880_002, first_name: 'Пётр', language_code: 'ru' };
// Olga's Telegram app gives no language_code: the main bot answers in English.
const PUBLISHING_TEXT = publishingTexts('en');
const news = -1_007_880_000_001;
let fixture: BotContextFixture;
let bus: NovaBus;
let media: Server;
let mediaRoot = '';
let processUpdate: UpdateProcessor;
let nextUpdateId = 900_000;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fixture = await BotContextFixture.start('nova_main_bot_publishing');
  const logger = createLogger({ name: 'main-bot-publishing-test', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
  const metrics = new Metrics({ namespace: 'test', side: 'target', defaults: false });
  const host = { logger, metrics, readiness: new Readiness(), onStop: (_name: string, step: () => Promise<void>) => { stops.push(step); } };
  // The fixture's bus: the bots context's events and the other contexts' requests on one JetStream.
  bus = fixture.events.bus;
  // The users context as the monolith serves it: the publisher asks it for each owner's language.
  const userBinding = await serveContext(bus, 'user', createUserHandlers({ db: fixture.userDb, publisher: fixture.publisher }));
  stops.push(() => userBinding.stop());
  await startPublisherContext(host, {
    config: { NOVA_MAIN_BOT_TOKEN: fixture.mainBot.token, NOVA_TOKEN_ENCRYPTION_KEY: fixture.key, NOVA_PUBLISH_LEASE: 60_000, NOVA_MIGRATE_ON_START: true },
    databaseUrl: fixture.database.url,
    bus,
    clients: fixture.clients,
    maxConnections: 4,
  });
  const desk = new BusPublisherDesk(bus);
  const deps: UpdateProcessingDeps = { ...fixture.deps, publishing: desk, businessConnections: desk };
  const botBinding = await serveContext(bus, 'bot', createBotHandlers(deps));
  stops.push(() => botBinding.stop());
  processUpdate = createUpdateProcessor(deps);
  // An administrator's grant: posting and stories without the payments context.
  for (const owner of [olga, petr]) await bus.request('svc.publisher.grant_posting', { telegramId: BigInt(owner.id), grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner.id });
  media = createServer((request, response) => {
    if (request.url === '/sale.jpg') response.writeHead(200).end(new Uint8Array(1024).fill(1));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  mediaRoot = `http://127.0.0.1:${String((media.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await new Promise<void>((resolve) => media.close(() => { resolve(); }));
  await fixture.close();
});

/** Olga (or `who`) writes to the main bot; resolves with what it answered to this update. */
async function say(text: string, formatting: readonly Record<string, unknown>[] = [], who: TelegramPerson = olga): Promise<string> {
  const before = fixture.sent(who.id).length;
  await processUpdate(fixture.envelope(fixture.mainBot, fixture.textUpdate(who, text, undefined, formatting)), {});
  return fixture.sent(who.id).slice(before).map((message) => message.text).join('\n');
}

/**
 * A /post that publishes now: the main bot's answer (📣) and the publisher's report to the owner,
 * two messages in either order. The report goes out within the request when its turn on the owner's
 * chat (Telegram's one message a second, after a burst of 3) comes inside the request's window, and
 * else from the publication's work item a moment later (publish.ts), so it may come after the
 * answer: fc11, beside two CPU hogs, had Petr's answer back with his report still waiting its turn.
 * Waits (bounded) for both, so a late report cannot land in the next command's answer either.
 */
async function postNow(text: string, formatting: readonly Record<string, unknown>[] = [], who: TelegramPerson = olga): Promise<{ answer: string; report: string }> {
  const before = fixture.sent(who.id).length;
  await processUpdate(fixture.envelope(fixture.mainBot, fixture.textUpdate(who, text, undefined, formatting)), {});
  const received = (): string[] => fixture.sent(who.id).slice(before).map((message) => message.text);
  const failure = await waitFor(() => Promise.resolve(received().length >= 2), { timeoutMs: 30_000 });
  const texts = received();
  const answers = texts.filter((line) => line.startsWith('📣'));
  const reports = texts.filter((line) => !line.startsWith('📣'));
  if (failure !== undefined || answers.length !== 1 || reports.length !== 1) throw new Error(`expected the answer and the report to ${String(who.id)}, got ${JSON.stringify(texts)} (${failure ?? 'no wait failure'})`);
  return { answer: answers[0] ?? '', report: reports[0] ?? '' };
}

describe('publishing through the main bot', () => {
  it('links a channel, posts to it now and later, lists and cancels posts', async () => {
    const bot = fixture.createBot('olga_news_bot');
    await say('/newbot');
    expect(await say(bot.token)).toContain('@olga_news_bot is connected');
    expect(await say('/channels')).toBe(PUBLISHING_TEXT.noChannels);
    // Not yet an administrator of the channel: Telegram says "chat not found", and so does the bot.
    expect(await say(`/link @olga_news_bot ${String(news)}`)).toBe(`Not done: bot ${String(bot.id)} cannot see chat -1007880000001: add it to the channel as an administrator first.`);
    fixture.emulator.joinChat(bot.id, { id: news, type: 'channel', title: 'Olga News' }, { status: 'administrator', canPostMessages: true });
    expect(await say(`/link @olga_news_bot ${String(news)}`)).toBe('✅ "Olga News" is linked. Post to it with /post.');
    expect(await say('/channels')).toBe(`Your channels:\n• Olga News (${String(news)}), channel`);

    // The owner's report (from the publisher) and the answer to the command.
    const first = await postNow('/post all\nHello, readers!');
    expect(first.report.split('\n')).toEqual(['Post #1 published in 1 of 1 channels.', '✓ Olga News']);
    expect(first.answer).toBe('📣 Post #1 went out: 1 of 1 channel; the report says which.');
    expect(fixture.emulator.messagesTo(news, { botId: bot.id }).map((message) => message.text)).toEqual(['Hello, readers!']);

    const scheduled = await say(`/post ${String(news)} in 2h\nLater today`);
    const postId = /Post #(\d+) is scheduled/u.exec(scheduled)?.[1];
    expect(postId).toBeDefined();
    expect(await say('/posts')).toMatch(new RegExp(`#${postId ?? ''} scheduled for .* UTC, 1 channel: "Later today"`, 'u'));
    // Formatted as any message (bold, a link), buttons under it, a photo by its link: the channel gets all of it.
    const rich = '/post all photo https://cdn.example/sale.jpg\nBig sale today\n[Shop](https://shop.example) [Help](https://shop.example/help)';
    const bold = rich.indexOf('Big');
    expect((await postNow(rich, [{ type: 'bold', offset: bold, length: 3 }, { type: 'text_link', offset: bold + 4, length: 4, url: 'https://shop.example/sale' }])).answer).toMatch(/went out: 1 of 1 channel/u);
    expect(fixture.emulator.messagesTo(news, { botId: bot.id }).at(-1)).toMatchObject({
      caption: 'Big sale today',
      caption_entities: [{ type: 'bold', offset: 0, length: 3 }, { type: 'text_link', offset: 4, length: 4, url: 'https://shop.example/sale' }],
      photo: expect.any(Array) as unknown,
      reply_markup: { inline_keyboard: [[{ text: 'Shop', url: 'https://shop.example' }, { text: 'Help', url: 'https://shop.example/help' }]] },
    });
    // A caption over Telegram's 1,024 characters is the publisher's refusal (field-too-long), in the owner's words; nothing sent.
    expect(await say(`/post all photo https://cdn.example/long.jpg\n${'x'.repeat(1025)}`)).toBe('Not done: the text is too long: Telegram takes at most 1,024 characters here.');
    expect(fixture.emulator.messagesTo(news, { botId: bot.id })).toHaveLength(2);

    // Changed while it waits: new words and a new time, as /posts then shows.
    expect(await say(`/editpost ${postId ?? ''} in 3h\nLater tonight`)).toMatch(new RegExp(`^✏️ Post #${postId ?? ''} is changed: it goes out .* UTC in 1 channel\\.$`, 'u'));
    expect(await say('/posts')).toMatch(new RegExp(`#${postId ?? ''} scheduled for .* UTC, 1 channel: "Later tonight"`, 'u'));
    expect(await say(`/editpost 99999\nNot mine`)).toBe('Not done: you have no post #99999.');
    expect(await say(`/cancelpost ${postId ?? ''}`)).toBe(`Post #${postId ?? ''} is cancelled.`);
    expect(await say(`/cancelpost ${postId ?? ''}`)).toBe(`Post #${postId ?? ''} is cancelled.`);
    // A cancelled (or published) post is not changed, and says so.
    expect(await say(`/editpost ${postId ?? ''}\nToo late`)).toBe(`Not done: post #${postId ?? ''} is cancelled; only a scheduled post can be changed.`);
    // Refusals in clear words, nothing sent: an unlinked channel, a time in the past, bad words.
    expect(await say('/post -1009999\nNowhere')).toBe('Not done: channel -1009999 is not linked: link it first with /link.');
    expect(await say('/post all at 2020-01-01 09:00\nToo late')).toBe(PUBLISHING_TEXT.pastTime);
    expect(await say('/post all')).toBe(PUBLISHING_TEXT.postUsage);
    expect(fixture.emulator.messagesTo(news, { botId: bot.id })).toHaveLength(2);

    expect(await say(`/unlink ${String(news)}`)).toBe(PUBLISHING_TEXT.unlinked);
    expect(await say('/channels')).toBe(PUBLISHING_TEXT.noChannels);
  });

  it("reports a publication in its owner's language: Russian for Petr, whose Telegram app speaks it", async () => {
    const bot = fixture.createBot('petr_news_bot');
    const channel = -1_007_880_000_002;
    await say('/newbot', [], petr);
    expect(await say(bot.token, [], petr)).toContain('@petr_news_bot');
    // The publisher's refusals in Petr's language: a channel his bot cannot see yet, one not linked, no such post, a cancelled one.
    expect(await say(`/link @petr_news_bot ${String(channel)}`, [], petr)).toBe(`Не выполнено: бот ${String(bot.id)} не видит чат ${String(channel)}: сначала добавьте его в канал администратором.`);
    expect(await say('/post -1009999\nНикуда', [], petr)).toBe('Не выполнено: канал -1009999 не подключён: сначала подключите его командой /link.');
    expect(await say('/cancelpost 99999', [], petr)).toBe('Не выполнено: у вас нет поста #99999.');
    fixture.emulator.joinChat(bot.id, { id: channel, type: 'channel', title: 'Новости Петра' }, { status: 'administrator', canPostMessages: true });
    await say(`/link @petr_news_bot ${String(channel)}`, [], petr);
    const { answer, report } = await postNow('/post all\nПривет, читатели!', [], petr);
    const number = /^Пост #(\d+) /u.exec(report)?.[1] ?? '';
    expect(report.split('\n')).toEqual([`Пост #${number} опубликован в 1 из 1 канала.`, '✓ Новости Петра']);
    expect(answer).toBe(`📣 Пост #${number} опубликован: 1 из 1 канала; подробности — в отчёте.`);
    expect(fixture.emulator.messagesTo(channel, { botId: bot.id }).map((message) => message.text)).toEqual(['Привет, читатели!']);
    const later = /Пост #(\d+) запланирован/u.exec(await say(`/post all in 2h\nПозже`, [], petr))?.[1] ?? '';
    expect(await say(`/cancelpost ${later}`, [], petr)).toBe(`Пост #${later} отменён.`);
    expect(await say(`/editpost ${later}\nУже поздно`, [], petr)).toBe(`Не выполнено: пост #${later} отменён; изменить можно только запланированный пост.`);
  });

  it('posts a story once a business account connected the bot with the right to manage stories', async () => {
    const bot = fixture.createBot('olga_shop_bot');
    await say('/newbot');
    await say(bot.token);
    const story = `/story @olga_shop_bot 24h ${mediaRoot}/sale.jpg Sale today`;
    expect(await say(story)).toBe(`Not done: bot ${String(bot.id)} is not connected to a Telegram Business account: connect it in Settings → Telegram Business → Chatbots.`);
    // Olga connects the bot in Telegram Business; Telegram tells the bot, the bots context tells the publisher.
    const connection = fixture.emulator.connectBusiness(bot.id, { user: olga, canManageStories: true });
    await processUpdate(fixture.envelope(bot, { update_id: nextUpdateId++, business_connection: connection }), {});
    expect(await say(story)).toBe('✅ Your story is posted through @olga_shop_bot for 24 hours.');
    expect(fixture.emulator.storiesOf(bot.id)).toEqual([expect.objectContaining({ businessConnectionId: connection.id, kind: 'photo', activePeriod: 86_400, caption: 'Sale today' })]);
    expect(await say(`/story @olga_shop_bot 5h ${mediaRoot}/sale.jpg`)).toBe(PUBLISHING_TEXT.storyUsage);
  });
});
