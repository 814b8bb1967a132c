/**
 * Telegram's documented message limits, enforced the way a bot meets them: a message over a
 * limit is refused with 429 "Too Many Requests: retry after N" and `parameters.retry_after`.
 * A refused message does not count; an admitted one counts at its arrival here.
 *
 * The Bot FAQ (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this) gives
 * the rates, "avoid sending more than one message per second" in a chat ("short bursts ...
 * allowed"), "not more than 20 messages per minute" in a group, "not ... more than about 30
 * messages per second" in bulk, and never says how they are counted. The emulator takes the
 * strictest reading that the wording allows: per chat a token bucket (a burst of 3, then one a
 * second), per group and per bot a SLIDING window (at most N in ANY window of the length, by
 * arrival time), not a fixed one: a client that passes a sliding window passes every fixed
 * window of the same length too (each fixed window is one of the sliding ones), while a fixed
 * window would let a client send 2N across a boundary and still be refused by the real server.
 */
export interface EmulatorRateLimits {
  readonly perChat: { readonly burst: number; readonly intervalMs: number };
  readonly perGroup: { readonly limit: number; readonly windowMs: number };
  readonly perBot: { readonly limit: number; readonly windowMs: number };
}

export const TELEGRAM_RATE_LIMITS: EmulatorRateLimits = {
  perChat: { burst: 3, intervalMs: 1_000 },
  perGroup: { limit: 20, windowMs: 60_000 },
  perBot: { limit: 30, windowMs: 1_000 },
};

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows = new Map<string, number[]>();

  constructor(private limits: EmulatorRateLimits = TELEGRAM_RATE_LIMITS) {}

  setLimits(limits: EmulatorRateLimits): void {
    this.limits = limits;
    this.buckets.clear();
    this.windows.clear();
  }

  get current(): EmulatorRateLimits {
    return this.limits;
  }

  /** Counts one message of `botId` to `chatKey`; answers the seconds to wait instead when a limit is reached. */
  admit(botId: number, chatKey: string | undefined, group: boolean, now: number): number | undefined {
    const waits: number[] = [this.windowWait(`bot:${String(botId)}`, this.limits.perBot, now)];
    if (chatKey !== undefined) {
      waits.push(this.bucketWait(`${String(botId)}:${chatKey}`, now));
      if (group) waits.push(this.windowWait(`group:${String(botId)}:${chatKey}`, this.limits.perGroup, now));
    }
    const waitMs = Math.max(...waits);
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    this.windows.get(`bot:${String(botId)}`)?.push(now);
    if (chatKey !== undefined) {
      const bucket = this.buckets.get(`${String(botId)}:${chatKey}`);
      if (bucket !== undefined) bucket.tokens -= 1;
      if (group) this.windows.get(`group:${String(botId)}:${chatKey}`)?.push(now);
    }
    return undefined;
  }

  private bucketWait(key: string, now: number): number {
    const { burst, intervalMs } = this.limits.perChat;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) / intervalMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * intervalMs);
  }

  private windowWait(key: string, limit: { readonly limit: number; readonly windowMs: number }, now: number): number {
    const sent = (this.windows.get(key) ?? []).filter((at) => at > now - limit.windowMs);
    this.windows.set(key, sent);
    const oldest = sent[sent.length - limit.limit];
    return sent.length < limit.limit || oldest === undefined ? 0 : oldest + limit.windowMs - now;
  }
}
