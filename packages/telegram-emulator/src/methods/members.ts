/** getChatMember, getChatAdministrators: the bot's own standing and a chat's administrators. */
import { badRequest } from '../api-failure.js';
import type { ChatMembership } from '../bot-state.js';
import { optionalInteger } from '../params.js';
import type { Chat, User } from '../wire.js';
import { writableChat } from './chats.js';
import type { MethodHandler } from './types.js';

export const getChatMember: MethodHandler = (bot, params) => {
  const chat = writableChat(bot, params);
  const userId = optionalInteger(params, 'user_id');
  if (userId === undefined) throw badRequest('user_id is empty');
  if (chat.type === 'private') {
    if (userId === bot.id) return { result: { status: 'member', user: bot.user } };
    if (userId === chat.id) return { result: { status: 'member', user: { id: chat.id, is_bot: false, first_name: chat.first_name ?? '' } } };
    throw badRequest('user not found');
  }
  const membership = bot.memberships.get(chat.id);
  if (userId === bot.id) return { result: chatMember(bot.user, chat, membership ?? { status: 'member' }) };
  if (membership?.owner?.id === userId) return { result: chatMember({ ...membership.owner, is_bot: false }, chat, { status: 'creator' }) };
  return { result: { status: 'left', user: { id: userId, is_bot: false, first_name: '' } } };
};

export const getChatAdministrators: MethodHandler = (bot, params) => {
  const chat = writableChat(bot, params);
  if (chat.type === 'private') throw badRequest('there are no administrators in the private chat');
  const membership = bot.memberships.get(chat.id);
  const admins: object[] = [];
  if (membership?.owner !== undefined) admins.push(chatMember({ ...membership.owner, is_bot: false }, chat, { status: 'creator' }));
  if (membership?.status === 'administrator') admins.push(chatMember(bot.user, chat, membership));
  // Telegram lists only the administrators it may show; in a channel, a member bot sees none.
  if (chat.type === 'channel' && membership?.status !== 'administrator') throw badRequest('member list is inaccessible');
  return { result: admins };
};

/** ChatMemberOwner / ChatMemberAdministrator / ChatMemberMember / ChatMemberLeft / ChatMemberBanned, as Telegram shapes them. */
function chatMember(user: User, chat: Chat, membership: ChatMembership): object {
  switch (membership.status) {
    case 'creator':
      return { status: 'creator', user, is_anonymous: false };
    case 'administrator':
      return {
        status: 'administrator',
        user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: chat.type !== 'channel',
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        // Channels only: posting and editing others' posts; groups only: pinning.
        ...(chat.type === 'channel'
          ? { can_post_messages: membership.canPostMessages === true, can_edit_messages: membership.canPostMessages === true }
          : { can_pin_messages: true }),
      };
    case 'kicked':
      return { status: 'kicked', user, until_date: 0 };
    case 'restricted':
      return { status: 'restricted', user, is_member: true, can_send_messages: false, until_date: 0 };
    default:
      return { status: membership.status, user };
  }
}

