import { describe, expect, it } from '@jest/globals';
import type { IncomingUpdate } from '../updates/incoming.js';
import { messageUpdate, rawUpdate } from '../updates/sample-updates.js';
import type { ChildBotDecision } from './reply.js';
import { routeChildBotUpdate } from './router.js';

const bot = { botId: 9n, username: 'HelloAnnaBot', greeting: 'Hi {name}, welcome!' };
const boris = { id: 42, first_name: 'Борис' };
const group = { id: -100, type: 'group' };

function route(update: IncomingUpdate): Promise<ChildBotDecision> {
  return routeChildBotUpdate({ update, bot, now: new Date(1_700_000_000_000) });
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
});
