/**
 * Linking a channel (or group) to one of the owner's child bots, unlinking it, listing them. A
 * link is stored only after Telegram confirmed that the bot may post there.
 */
import { create } from '@bufbuild/protobuf';
import {
  LinkChannelResponseSchema,
  ListChannelsResponseSchema,
  UnlinkChannelResponseSchema,
  type LinkChannelRequest,
  type LinkChannelResponse,
  type ListChannelsRequest,
  type ListChannelsResponse,
  type UnlinkChannelRequest,
  type UnlinkChannelResponse,
} from '@nova/contracts';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, telegramChatId, telegramId, throwIfAborted, type Clock, type HandlerContext } from '@nova/domain';
import type { PublisherDatabase } from './database.js';
import { channelMessage, chatKindRow } from './mapping.js';
import { ChannelRefusedError, type BotMembership, type BotOwnership, type ChannelTelegram, type TelegramChatInfo } from './ports.js';
import { refusal } from './refuse.js';

export interface ChannelDeps {
  readonly db: PublisherDatabase;
  readonly telegram: ChannelTelegram;
  readonly bots: BotOwnership;
  readonly clock: Clock;
}

export function linkChannelHandler(deps: ChannelDeps) {
  return async (request: LinkChannelRequest, ctx: HandlerContext): Promise<LinkChannelResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const botId = telegramId(request.botId, 'bot_id');
    const chatId = telegramChatId(request.chatId, 'chat_id');
    if (chatId > 0n) throw refusal(InvalidArgumentError, 'not-a-channel', {}, { field: 'chat_id' });
    const botOwner = await deps.bots.ownerOf(botId);
    if (botOwner === undefined) throw refusal(NotFoundError, 'bot-not-found', { bot: botId.toString() }, { bot_id: botId.toString() });
    if (botOwner !== owner) throw refusal(PermissionDeniedError, 'bot-not-yours', { bot: botId.toString() }, { bot_id: botId.toString() });
    const existing = await deps.db.channel.findUnique({ where: { chatId } });
    if (existing !== null && existing.ownerTelegramId !== owner) {
      throw refusal(PermissionDeniedError, 'chat-linked-by-another', { chat: chatId.toString() }, { chat_id: chatId.toString() });
    }
    throwIfAborted(ctx, 'asking Telegram about the chat');
    const { chat, membership } = await askTelegram(deps.telegram, botId, chatId);
    if (chat.kind === 'private') throw refusal(InvalidArgumentError, 'not-a-channel', {}, { field: 'chat_id' });
    requirePostingRight(chat, membership, botId);
    const linkedAt = deps.clock();
    const data = { botId, ownerTelegramId: owner, title: chat.title, kind: chatKindRow(chat.kind), linkedAt };
    const row = await deps.db.channel.upsert({ where: { chatId }, create: { chatId, ...data }, update: data });
    return create(LinkChannelResponseSchema, { channel: channelMessage(row) });
  };
}

/** getChat and getChatMember; Telegram's refusals become the owner's clear answer. */
async function askTelegram(telegram: ChannelTelegram, botId: bigint, chatId: bigint): Promise<{ chat: TelegramChatInfo; membership: BotMembership }> {
  try {
    const chat = await telegram.getChat(botId, chatId);
    return { chat, membership: await telegram.getBotMembership(botId, chatId) };
  } catch (error) {
    if (!(error instanceof ChannelRefusedError)) throw error;
    const details = { chat_id: chatId.toString(), bot_id: botId.toString(), telegram_error: `${String(error.errorCode)} ${error.description}` };
    // Telegram's own description stays in the details (logs); the owner reads the catalogue's words.
    const args = { bot: botId.toString(), chat: chatId.toString() };
    if (error.errorCode === 400) throw refusal(NotFoundError, 'bot-cannot-see-chat', args, details);
    throw refusal(FailedPreconditionError, 'bot-no-access', args, details);
  }
}

/** In a channel only an administrator with can_post_messages may post; in a group, an administrator. */
function requirePostingRight(chat: TelegramChatInfo, membership: BotMembership, botId: bigint): void {
  const details = { chat_id: chat.id.toString(), bot_id: botId.toString(), status: membership.status };
  if (membership.status !== 'administrator' && membership.status !== 'creator') {
    throw refusal(FailedPreconditionError, 'bot-not-admin', { bot: botId.toString(), title: chat.title }, details);
  }
  if (chat.kind === 'channel' && membership.status === 'administrator' && membership.canPostMessages !== true) {
    throw refusal(FailedPreconditionError, 'bot-cannot-post', { bot: botId.toString(), title: chat.title }, details);
  }
}

export function unlinkChannelHandler(db: PublisherDatabase) {
  return async (request: UnlinkChannelRequest, _ctx: HandlerContext): Promise<UnlinkChannelResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const chatId = telegramChatId(request.chatId, 'chat_id');
    const { count } = await db.channel.deleteMany({ where: { chatId, ownerTelegramId: owner } });
    if (count === 0) throw refusal(NotFoundError, 'chat-not-linked', { chat: chatId.toString() }, { chat_id: chatId.toString() });
    return create(UnlinkChannelResponseSchema, { chatId });
  };
}

export function listChannelsHandler(db: PublisherDatabase) {
  return async (request: ListChannelsRequest, _ctx: HandlerContext): Promise<ListChannelsResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const rows = await db.channel.findMany({ where: { ownerTelegramId: owner }, orderBy: { linkedAt: 'asc' } });
    return create(ListChannelsResponseSchema, { channels: rows.map(channelMessage) });
  };
}
