/**
 * Delivers a bot's updates to its webhook Telegram's way: one at a time, in order, each POSTed
 * as JSON with the X-Telegram-Bot-Api-Secret-Token header (when a secret is set) and retried with
 * growing pauses until the receiver answers 2xx; failures show in getWebhookInfo's
 * last_error_date / last_error_message, waiting updates in pending_update_count. A 2xx answer
 * whose JSON body names a `method` is executed as a webhook reply.
 */
import type { BotState, WebhookSettings } from './bot-state.js';
import { unixTime, type Update } from './wire.js';

export interface DeliverySettings {
  /** Deadline of one delivery. */
  readonly timeoutMs: number;
  /** Pause after the n-th failure in a row: min(capMs, baseMs * 2^(n-1)). */
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  /** Failures in a row after which an update is dropped; unlimited when absent. */
  readonly maxAttempts?: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = { timeoutMs: 10_000, backoff: { baseMs: 250, capMs: 8_000 } };

export interface DeliveryAttempt {
  readonly botId: number;
  readonly updateId: number;
  /** 1 for the first try of this update. */
  readonly attempt: number;
  readonly at: number;
  readonly delivered: boolean;
  /** The receiver's HTTP status, when it answered. */
  readonly status?: number;
  /** Telegram's wording of the failure (what getWebhookInfo shows). */
  readonly error?: string;
  /** Dropped after maxAttempts failures. */
  readonly dropped?: boolean;
}

export interface DeliveryHooks {
  attempted(attempt: DeliveryAttempt): void;
  /** The receiver answered with a method call in the body. */
  webhookReply(bot: BotState, body: Record<string, unknown>): void;
}

export class WebhookDelivery {
  private running = false;
  private stopped = false;
  private interruptPause: (() => void) | undefined;

  constructor(
    private readonly bot: BotState,
    private readonly settings: DeliverySettings,
    private readonly hooks: DeliveryHooks,
  ) {}

  /** Something changed (new update, webhook set): deliver now, cutting a backoff pause short. */
  kick(): void {
    this.interruptPause?.();
    if (!this.running && !this.stopped) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.interruptPause?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    let failures = 0;
    try {
      for (;;) {
        const webhook = this.bot.webhook;
        const update = this.bot.pending[0];
        if (this.stopped || webhook === undefined || update === undefined) return;
        const outcome = await this.post(webhook, update);
        if (this.bot.pending[0] !== update) {
          failures = 0; // dropped meanwhile (deleteWebhook with drop_pending_updates)
          continue;
        }
        if (outcome.delivered) {
          this.bot.pending.shift();
          this.hooks.attempted({ ...outcome, attempt: failures + 1 });
          failures = 0;
          if (outcome.reply !== undefined) this.hooks.webhookReply(this.bot, outcome.reply);
          continue;
        }
        failures++;
        this.bot.lastError = { date: unixTime(), message: outcome.error ?? 'Connection failed' };
        const dropped = this.settings.maxAttempts !== undefined && failures >= this.settings.maxAttempts;
        this.hooks.attempted({ ...outcome, attempt: failures, ...(dropped ? { dropped } : {}) });
        if (dropped) {
          this.bot.pending.shift();
          failures = 0;
          continue;
        }
        await this.pause(Math.min(this.settings.backoff.capMs, this.settings.backoff.baseMs * 2 ** (failures - 1)));
      }
    } finally {
      this.running = false;
    }
  }

  private async post(webhook: WebhookSettings, update: Update): Promise<Omit<DeliveryAttempt, 'attempt'> & { reply?: Record<string, unknown> }> {
    const base = { botId: this.bot.id, updateId: update.update_id, at: Date.now() };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = webhook.secretToken;
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      const body = await response.text();
      if (response.status < 200 || response.status > 299) {
        return { ...base, delivered: false, status: response.status, error: `Wrong response from the webhook: ${String(response.status)} ${response.statusText}` };
      }
      const reply = webhookReplyOf(response.headers.get('content-type'), body);
      return { ...base, delivered: true, status: response.status, ...(reply === undefined ? {} : { reply }) };
    } catch (error) {
      return { ...base, delivered: false, error: describe(error) };
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interruptPause = () => {
        this.interruptPause = undefined;
        done();
      };
    });
  }
}

function webhookReplyOf(contentType: string | null, body: string): Record<string, unknown> | undefined {
  if (contentType?.includes('application/json') !== true || body.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'method' in parsed && typeof parsed.method === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Telegram's wording; errors are read by shape, since fetch's may come from another realm (jest's VM). */
function describe(error: unknown): string {
  const failure = error as { name?: unknown; cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null;
  if (failure?.name === 'TimeoutError') return 'Read timeout expired';
  const codes = [failure?.cause?.code, ...(failure?.cause?.errors ?? []).map((inner) => inner.code)];
  if (codes.includes('ECONNREFUSED')) return 'Connection refused';
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET')) return 'Connection reset by peer';
  return 'Connection failed';
}
