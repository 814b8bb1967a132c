/**
 * What the publisher asks the bots context over the bus (never its tables, Decided 7): who owns a
 * child bot (svc.bot.get) and the bot's token, sealed as stored (svc.bot.sealed_token), opened
 * here with the same NOVA_TOKEN_ENCRYPTION_KEY. On NATS in the publisher service, on the
 * in-process bus in the monolith.
 */
import type { Bus } from '@nova/bus';
import { ErrorCode } from '@nova/contracts';
import { RemoteDomainError } from '@nova/domain';
import type { BotKeyring } from '@nova/bot-service/domain';
import { toDomainError } from '@nova/wiring';
import type { BotOwnership } from '../domain/index.js';
import type { BotTokenSource } from './channel-telegram.js';

function isNotFound(error: unknown): boolean {
  return error instanceof RemoteDomainError && error.code === ErrorCode.NOT_FOUND;
}

export class BusBotOwnership implements BotOwnership {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  async ownerOf(botId: bigint): Promise<bigint | undefined> {
    try {
      const answer = await this.bus.request('svc.bot.get', { botId });
      return answer.bot?.ownerTelegramId;
    } catch (error) {
      const domainError = toDomainError(error);
      if (isNotFound(domainError)) return undefined;
      throw domainError;
    }
  }
}

export class BusBotTokens implements BotTokenSource {
  constructor(
    private readonly bus: Pick<Bus, 'request'>,
    private readonly keyring: BotKeyring,
  ) {}

  async tokenFor(botId: bigint): Promise<string | undefined> {
    try {
      const answer = await this.bus.request('svc.bot.sealed_token', { botId });
      return this.keyring.open(botId, { ciphertext: new Uint8Array(answer.sealedToken), keyId: answer.keyId });
    } catch (error) {
      const domainError = toDomainError(error);
      if (isNotFound(domainError)) return undefined;
      throw domainError;
    }
  }
}
