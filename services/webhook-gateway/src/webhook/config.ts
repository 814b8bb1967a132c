/**
 * The configuration of the webhook endpoint (the gateway's, and the monolith's own). The main
 * bot is known by its id: NOVA_MAIN_BOT_ID, or the id part of NOVA_MAIN_BOT_TOKEN where the
 * process has the token anyway (the monolith); the gateway never needs the token itself.
 */
import { secret } from '@nova/platform';
import { z } from 'zod';

export const webhookConfig = {
  NOVA_WEBHOOK_SECRET: secret(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram\'s secret_token)')),
  NOVA_MAIN_BOT_ID: z.string().regex(/^[1-9]\d{0,15}$/, 'must be the main bot\'s numeric id (the part of its token before \':\')').optional(),
  NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{30,64}$/, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)')).optional(),
};

export type WebhookConfig = z.output<z.ZodObject<typeof webhookConfig>>;

/** Neither NOVA_MAIN_BOT_ID nor NOVA_MAIN_BOT_TOKEN is set, or they name different bots. */
export class MainBotIdError extends Error {
  override readonly name = 'MainBotIdError';
}

export function mainBotIdOf(config: Pick<WebhookConfig, 'NOVA_MAIN_BOT_ID' | 'NOVA_MAIN_BOT_TOKEN'>): bigint {
  const fromToken = config.NOVA_MAIN_BOT_TOKEN?.split(':')[0];
  const id = config.NOVA_MAIN_BOT_ID ?? fromToken;
  if (id === undefined) throw new MainBotIdError('NOVA_MAIN_BOT_ID: is required but not set (or set NOVA_MAIN_BOT_TOKEN)');
  if (fromToken !== undefined && fromToken !== id) throw new MainBotIdError('NOVA_MAIN_BOT_ID and NOVA_MAIN_BOT_TOKEN name different bots');
  return BigInt(id);
}
