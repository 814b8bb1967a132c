import { create } from '@bufbuild/protobuf';
import {
  GetBotResponseSchema,
  GetSealedTokenResponseSchema,
  GetWebhookAuthResponseSchema,
  ListBotsResponseSchema,
  type Bot,
  type GetBotRequest,
  type GetBotResponse,
  type GetSealedTokenRequest,
  type GetSealedTokenResponse,
  type GetWebhookAuthRequest,
  type GetWebhookAuthResponse,
  type ListBotsRequest,
  type ListBotsResponse,
} from '@nova/contracts';
import { NotFoundError, telegramId, type HandlerContext } from '@nova/domain';
import type { BotDatabase } from '../database.js';
import { botMessage } from '../mapping.js';

const withAudience = { _count: { select: { audience: true } } } as const;

/** The child bots one user owns, oldest first, with their audience sizes. */
export async function botsOwnedBy(db: BotDatabase, owner: bigint): Promise<Bot[]> {
  const rows = await db.bot.findMany({ where: { ownerTelegramId: owner }, orderBy: [{ createdAt: 'asc' }, { botId: 'asc' }], include: withAudience });
  return rows.map((row) => botMessage(row, row._count.audience));
}

export async function listBots(db: BotDatabase, request: ListBotsRequest, _ctx: HandlerContext): Promise<ListBotsResponse> {
  const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
  return create(ListBotsResponseSchema, { bots: await botsOwnedBy(db, owner) });
}

export function notFound(botId: bigint): NotFoundError {
  return new NotFoundError(`no child bot ${botId}`, { bot_id: botId.toString() });
}

export async function getBot(db: BotDatabase, request: GetBotRequest, _ctx: HandlerContext): Promise<GetBotResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const row = await db.bot.findUnique({ where: { botId }, include: withAudience });
  if (row === null) throw notFound(botId);
  return create(GetBotResponseSchema, { bot: botMessage(row, row._count.audience) });
}

/** The hashes the webhook gateway checks a child bot's webhook call against. */
export async function webhookAuth(db: BotDatabase, request: GetWebhookAuthRequest, _ctx: HandlerContext): Promise<GetWebhookAuthResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const row = await db.bot.findUnique({ where: { botId }, select: { tokenSha256: true, webhookSecretSha256: true, blockedAt: true } });
  if (row === null) throw notFound(botId);
  return create(GetWebhookAuthResponseSchema, { botId, webhookSecretSha256: row.webhookSecretSha256, tokenSha256: row.tokenSha256, blocked: row.blockedAt !== null });
}

/** The token sealed as stored, for a context holding the same key (the publisher posts as the bot). */
export async function sealedToken(db: BotDatabase, request: GetSealedTokenRequest, _ctx: HandlerContext): Promise<GetSealedTokenResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const row = await db.bot.findUnique({ where: { botId }, select: { tokenCiphertext: true, tokenKeyId: true } });
  if (row === null) throw notFound(botId);
  return create(GetSealedTokenResponseSchema, { botId, sealedToken: row.tokenCiphertext, keyId: row.tokenKeyId });
}
