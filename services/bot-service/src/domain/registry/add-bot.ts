import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BotSchema, ChildBotAddedSchema, eventMsgId, type Bot } from '@nova/contracts';
import {
  appendToOutbox,
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  effectKey,
  outboxRecord,
  telegramId,
  throwIfAborted,
  type HandlerContext,
} from '@nova/domain';
import type { Bot as BotRow } from '../../generated/prisma/client.js';
import { claimEffect, effectResult, recordEffectResult } from '../effects.js';
import { DEFAULT_GREETING } from '../greeting.js';
import { sha256 } from '../keyring.js';
import { botMessage } from '../mapping.js';
import { flushBotOutbox } from '../outbox-store.js';
import { callTelegram } from '../telegram-calls.js';
import { TelegramRejectedError } from '../telegram-gateway.js';
import { parseBotToken, redactBotTokens } from '../token.js';
import { requireBotAllowance } from './bot-allowance.js';
import type { RegistryDeps } from './deps.js';

export interface AddBotInput {
  readonly ownerTelegramId: bigint;
  /** As the user sent it; surrounding blanks are ignored. */
  readonly token: string;
  /** Normally the msgID of the update that asked: a repeated key returns the first answer. */
  readonly effectKey?: string;
}

/** Telegram's getMe refused the token (revoked, or never valid). */
export class BotTokenRejectedError extends InvalidArgumentError {
  override readonly name = 'BotTokenRejectedError';
  constructor(reason: string) {
    super(`Telegram did not accept this bot token (${reason})`, { field: 'token' });
  }
}

/** The bot is connected already, by the caller or by someone else. */
export class BotAlreadyAddedError extends AlreadyExistsError {
  override readonly name = 'BotAlreadyAddedError';
  constructor(
    readonly botId: bigint,
    readonly username: string,
    readonly ownedByCaller: boolean,
  ) {
    super(ownedByCaller ? `@${username} is already connected` : `@${username} is already connected by another user`, {
      bot_id: botId.toString(),
      owned_by_caller: String(ownedByCaller),
    });
  }
}

function alreadyAdded(row: BotRow, owner: bigint): BotAlreadyAddedError {
  return new BotAlreadyAddedError(row.botId, row.username, row.ownerTelegramId === owner);
}

/**
 * Connects a child bot: checks the token's shape, asks Telegram who it is (getMe), sets its
 * webhook with a per-bot secret, then stores it with the token sealed and publishes
 * nova.bot.added. The Telegram calls come before the row so that a stored bot always has its
 * webhook; they are idempotent (the secret is derived from bot and token), so a redelivered or
 * racing add repeats them harmlessly and the primary key decides who stores the bot.
 */
/**
 * What Telegram sends a child bot: messages (greetings), and business_connection (a Telegram
 * Business account connecting the bot: the publisher posts stories through it).
 */
export const CHILD_BOT_UPDATES: readonly string[] = ['message', 'business_connection'];

export async function addChildBot(deps: RegistryDeps, input: AddBotInput, ctx: HandlerContext): Promise<Bot> {
  const owner = telegramId(input.ownerTelegramId, 'owner_telegram_id');
  const { botId, token } = parseBotToken(input.token);
  const key = effectKey(input.effectKey ?? '');
  const effect = key === undefined ? undefined : `bot.add:${key}`;
  if (effect !== undefined) {
    const stored = await effectResult(deps.db, effect);
    if (stored !== null) {
      // The first call's event may still be pending if its publish failed.
      await flushBotOutbox(deps.db, deps.publisher);
      return fromBinary(BotSchema, stored);
    }
  }
  const existing = await deps.db.bot.findUnique({ where: { botId } });
  if (existing !== null) throw alreadyAdded(existing, owner);
  // Before Telegram: a bot over the limit gets no webhook set for nothing.
  if (deps.botsEntitlement !== undefined) await requireBotAllowance(deps.db, deps.botsEntitlement, owner);

  throwIfAborted(ctx, 'calling Telegram getMe');
  const info = await callTelegram('getMe', token, () => deps.gateway.getMe(token));
  if (info instanceof TelegramRejectedError) throw new BotTokenRejectedError(`${info.errorCode} ${info.description}`);
  if (info.id !== botId) throw new BotTokenRejectedError('getMe answered for another bot');

  throwIfAborted(ctx, 'calling Telegram setWebhook');
  const settings = { url: deps.webhookUrl(botId), secretToken: deps.keyring.webhookSecret(botId, token), allowedUpdates: CHILD_BOT_UPDATES, maxConnections: deps.webhookMaxConnections };
  const set = await callTelegram('setWebhook', token, () => deps.gateway.setWebhook(token, settings));
  if (set instanceof TelegramRejectedError) {
    throw new FailedPreconditionError(`Telegram refused the webhook of @${info.username}: ${redactBotTokens(set.description, token)}`, {
      bot_id: botId.toString(),
    });
  }

  const now = deps.clock();
  const sealed = deps.keyring.seal(botId, token);
  const bot = await deps.db.$transaction(async (tx) => {
    if (effect !== undefined && !(await claimEffect(tx, effect))) {
      const stored = await effectResult(tx, effect);
      if (stored === null) throw new Error(`effect ${effect} was recorded without its answer`);
      return fromBinary(BotSchema, stored);
    }
    const [row] = await tx.bot.createManyAndReturn({
      data: [
        {
          botId,
          ownerTelegramId: owner,
          username: info.username,
          greeting: DEFAULT_GREETING,
          tokenCiphertext: sealed.ciphertext,
          tokenKeyId: sealed.keyId,
          tokenSha256: sha256(token),
          webhookSecretSha256: sha256(settings.secretToken),
          createdAt: now,
          updatedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (row === undefined) {
      const winner = await tx.bot.findUnique({ where: { botId } });
      if (winner === null) throw new Error(`bot ${botId} neither inserted nor present`);
      throw alreadyAdded(winner, owner);
    }
    const added = botMessage(row, 0);
    const event = create(ChildBotAddedSchema, { bot: added });
    await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.bot.added', event, eventMsgId('nova.bot.added', `${botId}-${row.createdAt.getTime()}`))]);
    if (effect !== undefined) await recordEffectResult(tx, effect, toBinary(BotSchema, added));
    return added;
  });
  await flushBotOutbox(deps.db, deps.publisher);
  return bot;
}
