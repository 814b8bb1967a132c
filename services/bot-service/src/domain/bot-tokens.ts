import type { BotDatabase } from './database.js';
import type { BotKeyring } from './keyring.js';
import { parseBotToken } from './token.js';

/** The platform's own bot (NOVA_MAIN_BOT_TOKEN): its id and token. */
export interface MainBotIdentity {
  readonly botId: bigint;
  readonly token: string;
}

/** The main bot token in the configuration is not a bot token. Names the variable, never echoes it. */
export class InvalidMainBotTokenError extends Error {
  override readonly name = 'InvalidMainBotTokenError';
  constructor(readonly variable: string) {
    super(`${variable} must be a bot token as @BotFather gives it (<bot id>:<secret>)`);
  }
}

export function mainBotIdentity(token: string, variable = 'NOVA_MAIN_BOT_TOKEN'): MainBotIdentity {
  try {
    return parseBotToken(token);
  } catch {
    throw new InvalidMainBotTokenError(variable);
  }
}

/** The token a bot's replies are sent with: the main bot's from configuration, a child bot's unsealed from its row. */
export class BotTokens {
  constructor(
    private readonly db: BotDatabase,
    private readonly keyring: BotKeyring,
    private readonly mainBot: MainBotIdentity,
  ) {}

  /** undefined when the bot is not (or no longer) connected. */
  async tokenFor(botId: bigint): Promise<string | undefined> {
    if (botId === this.mainBot.botId) return this.mainBot.token;
    const row = await this.db.bot.findUnique({ where: { botId }, select: { tokenCiphertext: true, tokenKeyId: true } });
    return row === null ? undefined : this.keyring.open(botId, { ciphertext: row.tokenCiphertext, keyId: row.tokenKeyId });
  }
}
