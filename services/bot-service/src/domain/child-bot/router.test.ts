import { describe, expect, it } from '@jest/globals';
import type { Locale } from '@nova/i18n';
import { DEFAULT_GREETING } from '../greeting.js';
import type { IncomingUpdate } from '../updates/incoming.js';
import { messageUpdate, rawUpdate } from '../updates/sample-updates.js';
import type { ChildBotDecision } from './reply.js';
import { routeChildBotUpdate } from './router.js';

const bot = { botId: 9n, username: 'HelloAnnaBot', greeting: 'Hi {name}, welcome!' };
const boris = { id: 42, first_name: 'Борис' };
const group = { id: -100, type: 'group' };

function route(update: IncomingUpdate, greeting = bot.greeting, locale: Locale = 'en'): Promise<ChildBotDecision> {
  return routeChildBotUpdate({ update, bot: { ...bot, greeting }, now: new Date(1_700_000_000_000), senderLocale: () => Promise.resolve(locale) });
}

const greeting = (chatId: bigint) => [{ chatId, text: 'Hi Борис, welcome!' }];

describe('the child bot (the legacy hello_bot) routed by telegraf', () => {
  it('greets a person in a private chat with the owner\'s greeting, whatever they send, and counts them', async () => {
    expect(await route(messageUpdate(boris, 'hello'))).toEqual({ audienceMember: 42n, replies: greeting(42n) });
    expect(await route(messageUpdate(boris, '/start'))).toEqual({ audienceMember: 42n, replies: greeting(42n) });
    expect((await route(messageUpdate(boris, undefined))).replies).toEqual(greeting(42n));
  });

  it('in a group answers only its own /start (any case) but counts every writer', async () => {
    expect(await route(messageUpdate(boris, 'just chatting', group))).toEqual({ audienceMember: 42n, replies: [] });
    expect((await route(messageUpdate(boris, '/start', group))).replies).toEqual(greeting(-100n));
    expect((await route(messageUpdate(boris, '/START@helloannabot now', { id: -100, type: 'supergroup' }))).replies).toEqual(greeting(-100n));
    expect(await route(messageUpdate(boris, '/start@OtherBot', group))).toEqual({ audienceMember: 42n, replies: [] });
    expect((await route(messageUpdate(boris, '/help', group))).replies).toEqual([]);
  });

  it('ignores other bots, channels, messages without a sender and updates that are not messages', async () => {
    const nothing = { audienceMember: undefined, replies: [] };
    expect(await route(messageUpdate({ ...boris, is_bot: true }, '/start'))).toEqual(nothing);
    expect(await route(messageUpdate(boris, '/start', { id: -200, type: 'channel' }))).toEqual(nothing);
    expect(await route(messageUpdate(undefined, '/start', { id: 42, type: 'private' }))).toEqual(nothing);
    expect(await route(rawUpdate({ edited_message: { message_id: 1, date: 0, edit_date: 1, chat: { id: 42, type: 'private' }, from: boris, text: 'hi' } }))).toEqual(nothing);
  });

  it("sends an owner's own greeting as typed, whatever the writer's language, without asking it", async () => {
    let asked = 0;
    const decision = await routeChildBotUpdate({ update: messageUpdate(boris, 'hi'), bot, now: new Date(0), senderLocale: () => { asked += 1; return Promise.resolve('ru'); } });
    expect(decision.replies).toEqual(greeting(42n));
    expect(asked).toBe(0);
  });
});

describe.each([
  ['en', 'Hello, Борис! 👋'],
  ['ru', 'Здравствуйте, Борис! 👋'],
] as const)("a bot on its built-in greeting, to a person who reads %s", (locale, text) => {
  it('greets in their language, in a private chat and on /start in a group', async () => {
    expect(await route(messageUpdate(boris, 'hello'), DEFAULT_GREETING, locale)).toEqual({ audienceMember: 42n, replies: [{ chatId: 42n, text }] });
    expect((await route(messageUpdate(boris, '/start', group), DEFAULT_GREETING, locale)).replies).toEqual([{ chatId: -100n, text }]);
  });
});
