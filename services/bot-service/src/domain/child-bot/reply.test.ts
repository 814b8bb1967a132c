import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from '../updates/incoming.js';
import { childBotReply } from './reply.js';

const bot = { botId: 9n, username: 'HelloAnnaBot', greeting: 'Hi {name}, welcome!' };
const person = { id: 42n, isBot: false, firstName: 'Борис', lastName: undefined, username: undefined, languageCode: undefined };

function message(init: Partial<IncomingMessage>): IncomingMessage {
  return { chatId: 42n, chatType: 'private', sender: person, text: 'hello', ...init };
}

describe('childBotReply (the legacy hello_bot)', () => {
  it('greets a person in a private chat with the owner\'s greeting and counts them', () => {
    expect(childBotReply(message({}), bot)).toEqual({ audienceMember: 42n, replies: [{ chatId: 42n, text: 'Hi Борис, welcome!' }] });
    expect(childBotReply(message({ text: undefined }), bot).replies).toHaveLength(1);
  });

  it('in a group answers only /start (also addressed to it by name) but counts every writer', () => {
    const group = { chatId: -100n, chatType: 'group' as const };
    expect(childBotReply(message({ ...group, text: 'just chatting' }), bot)).toEqual({ audienceMember: 42n, replies: [] });
    expect(childBotReply(message({ ...group, text: '/start' }), bot).replies).toEqual([{ chatId: -100n, text: 'Hi Борис, welcome!' }]);
    expect(childBotReply(message({ ...group, text: '/start@helloannabot now' }), bot).replies).toHaveLength(1);
    expect(childBotReply(message({ ...group, text: '/start@OtherBot' }), bot).replies).toEqual([]);
  });

  it('ignores other bots, channel posts, messages without a sender and non-messages', () => {
    const nothing = { audienceMember: undefined, replies: [] };
    expect(childBotReply(message({ sender: { ...person, isBot: true } }), bot)).toEqual(nothing);
    expect(childBotReply(message({ chatType: 'channel' }), bot)).toEqual(nothing);
    expect(childBotReply(message({ sender: undefined }), bot)).toEqual(nothing);
    expect(childBotReply(undefined, bot)).toEqual(nothing);
  });
});
