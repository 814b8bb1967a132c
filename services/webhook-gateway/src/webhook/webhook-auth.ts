/**
 * Where the webhook learns a child bot's credentials: svc.bot.webhook_auth answers the sha256 of
 * the bot's webhook secret and of its token (never the secrets). Remembered briefly, so a burst
 * of updates costs one request, and kept for a while after, so that a bot service that cannot be
 * reached does not turn every known bot's updates away (Telegram would retry, but late).
 */
import { NotFoundError, type Bus } from '@nova/bus';

export interface BotWebhookAuth {
  readonly webhookSecretSha256: Uint8Array;
  readonly tokenSha256: Uint8Array;
  /** An admin blocked the bot: its webhooks are answered 200 and dropped. */
  readonly blocked: boolean;
}

export interface WebhookAuthSource {
  /** The bot's credentials, undefined for a bot the platform does not know; throws when it cannot tell. */
  lookup(botId: bigint): Promise<BotWebhookAuth | undefined>;
}

/** The bots context could not be asked (down, slow, its circuit open) and nothing usable is cached. */
export class WebhookAuthUnavailableError extends Error {
  override readonly name = 'WebhookAuthUnavailableError';
  constructor(readonly botId: bigint, cause: unknown) {
    super(`cannot authenticate a webhook of bot ${botId.toString()}: the bots context did not answer (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

/** svc.bot.webhook_auth over the bus. */
export function busWebhookAuth(bus: Pick<Bus, 'request'>, timeoutMs = 2_000): WebhookAuthSource {
  return {
    async lookup(botId) {
      try {
        const answer = await bus.request('svc.bot.webhook_auth', { botId }, { timeoutMs });
        return { webhookSecretSha256: answer.webhookSecretSha256, tokenSha256: answer.tokenSha256, blocked: answer.blocked };
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw new WebhookAuthUnavailableError(botId, error);
      }
    },
  };
}

export interface WebhookAuthCacheOptions {
  /** How long a known bot's answer is used without asking again. Default 30 s. */
  readonly knownTtlMs?: number;
  /** How long "no such bot" is believed. Default 5 s (a bot being added becomes reachable soon). */
  readonly unknownTtlMs?: number;
  /** How long an expired answer still serves while the bots context cannot be reached. Default 1 h. */
  readonly staleMs?: number;
  /** Bots remembered at most (oldest forgotten first). Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly auth: BotWebhookAuth | undefined;
  readonly at: number;
}

export class WebhookAuthCache implements WebhookAuthSource {
  private readonly entries = new Map<bigint, Entry>();
  private readonly inFlight = new Map<bigint, Promise<BotWebhookAuth | undefined>>();
  private readonly knownTtlMs: number;
  private readonly unknownTtlMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly source: WebhookAuthSource, options: WebhookAuthCacheOptions = {}) {
    this.knownTtlMs = options.knownTtlMs ?? 30_000;
    this.unknownTtlMs = options.unknownTtlMs ?? 5_000;
    this.staleMs = options.staleMs ?? 3_600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  lookup(botId: bigint): Promise<BotWebhookAuth | undefined> {
    const entry = this.entries.get(botId);
    const age = entry === undefined ? Number.POSITIVE_INFINITY : this.now() - entry.at;
    if (entry !== undefined && age < (entry.auth === undefined ? this.unknownTtlMs : this.knownTtlMs)) return Promise.resolve(entry.auth);
    let pending = this.inFlight.get(botId);
    if (pending === undefined) {
      pending = this.refresh(botId, entry, age).finally(() => this.inFlight.delete(botId));
      this.inFlight.set(botId, pending);
    }
    return pending;
  }

  private async refresh(botId: bigint, entry: Entry | undefined, age: number): Promise<BotWebhookAuth | undefined> {
    try {
      const auth = await this.source.lookup(botId);
      this.remember(botId, auth);
      return auth;
    } catch (error) {
      if (entry?.auth !== undefined && age < this.staleMs) return entry.auth;
      throw error;
    }
  }

  private remember(botId: bigint, auth: BotWebhookAuth | undefined): void {
    this.entries.delete(botId);
    this.entries.set(botId, { auth, at: this.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
