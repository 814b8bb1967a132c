/**
 * The configuration of the publisher context, shared by the publisher service and the monolith.
 * NOVA_TOKEN_ENCRYPTION_KEY is the bots context's key: the publisher opens the sealed tokens the
 * bots context hands it (svc.bot.sealed_token). Secrets are marked so logs scrub them.
 */
import { duration, secret, url } from '@nova/platform';
import { z } from 'zod';

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;

export const publisherContextConfig = {
  /** The main bot sends each owner the report of their publication. */
  NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(BOT_TOKEN, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)')),
  NOVA_TOKEN_ENCRYPTION_KEY: secret(z.string().regex(BASE64_32_BYTES, 'must be 32 random bytes in base64 (openssl rand -base64 32)')),
  NOVA_TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
  /** How long a sender holds a channel it posts to before another replica may take it over (after a crash). */
  NOVA_PUBLISH_LEASE: duration.default(60_000),
  NOVA_MIGRATE_ON_START: z.stringbool().default(true),
};

export type PublisherContextConfig = z.output<z.ZodObject<typeof publisherContextConfig>>;
