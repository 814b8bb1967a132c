import { describe, expect, it } from '@jest/globals';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Update } from 'telegraf/types';
import { businessConnectionOf } from './business-connection.js';
import { MalformedUpdateError } from './incoming.js';

const update = (connection: unknown): Update => ({ update_id: 5, business_connection: connection } as unknown as Update);

describe('a business_connection update', () => {
  it('is read into the publisher\'s BusinessConnection, rights and all', () => {
    const read = businessConnectionOf(update({ id: 'conn-1', user: { id: 42, is_bot: false, first_name: 'Olga' }, user_chat_id: 42, date: 1_800_000_000, rights: { can_reply: true, can_manage_stories: true }, is_enabled: true }), 7n);
    expect(read).toMatchObject({ connectionId: 'conn-1', botId: 7n, userTelegramId: 42n, userChatId: 42n, canManageStories: true, isEnabled: true });
    expect(read?.date && timestampDate(read.date)).toEqual(new Date(1_800_000_000_000));
    // No rights object (or no can_manage_stories): no right; disconnected: not enabled.
    expect(businessConnectionOf(update({ id: 'c', user: { id: 42 }, user_chat_id: 42, date: 1, is_enabled: false }), 7n)).toMatchObject({ canManageStories: false, isEnabled: false });
  });

  it('is not there in other updates, and malformed ones are refused for good', () => {
    expect(businessConnectionOf({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'A' } } } as Update, 7n)).toBeUndefined();
    for (const bad of [null, { id: '', user: { id: 1 } }, { id: 'c', user: { id: 'x' }, user_chat_id: 1, date: 1 }, { id: 'c', user: { id: 1 }, user_chat_id: 1.5, date: 1 }]) {
      expect(() => businessConnectionOf(update(bad), 7n)).toThrow(MalformedUpdateError);
    }
  });
});
