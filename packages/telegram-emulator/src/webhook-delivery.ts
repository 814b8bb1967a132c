/**
 * Delivers a bot's updates to its webhook Telegram's way: each POSTed as JSON with the
 * X-Telegram-Bot-Api-Secret-Token header (when a secret is set), up to the webhook's
 * max_connections at once, one at a time per delivery queue (a chat's messages, a user's button
 * presses: delivery-queues.ts), so one chat's updates arrive in order and different chats' in any
 * order. A failed delivery is retried after growing pauses and given up on (dropped, counted)
 * after `maxAttempts` failures or once it is older than `maxAgeMs` (Telegram keeps an update at
 * most 24 hours); failures show in getWebhookInfo's last_error_date / last_error_message, updates
 * not yet acknowledged (in flight included) in pending_update_count. A 2xx answer whose JSON body
 * names a `method` is executed as a webhook reply.
 */
import type { BotState, WebhookSettings } from './bot-state.js';
import { deliveryQueueOf } from './delivery-queues.js';
import { unixTime, type Update } from './wire.js';

export interface DeliverySettings {
  /** Deadline of one delivery. */
  readonly timeoutMs: number;
  /** Pause after the n-th failure of an update: min(capMs, baseMs * 2^(n-1)). */
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  /** Failures of one update after which it is dropped; unlimited when absent. */
  readonly maxAttempts?: number;
  /**
   * A failing update is dropped once its next try would come later than this after it was
   * queued: Telegram keeps updates at most 24 hours (the default). Tests scale it down.
   */
  readonly maxAgeMs: number;
  /**
   * Where a webhook URL is posted. Telegram resolves the public name and speaks TLS to the
   * operator's ingress; a test whose receiver has no public name or certificate (a one-node
   * cluster's NodePort: test/cluster) maps the URL the bot set to the address that plays that
   * ingress. The bot still sets, and getWebhookInfo still shows, its own URL. Unchanged by default.
   */
  readonly route?: (webhookUrl: string) => string;
}

export const DEFAULT_DELIVERY: DeliverySettings = { timeoutMs: 10_000, backoff: { baseMs: 250, capMs: 8_000 }, maxAgeMs: 24 * 60 * 60_000 };

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
  /** Given up on after this failure: `attempts` (maxAttempts reached) or `age` (maxAgeMs). */
  readonly dropped?: 'attempts' | 'age';
}

export interface DeliveryHooks {
  attempted(attempt: DeliveryAttempt): void;
  /** The receiver answered with a method call in the body. */
  webhookReply(bot: BotState, body: Record<string, unknown>): void;
}

/** What a bot's delivery is doing now (the control API's GET /_emulator/bots/<id>/delivery). */
export interface DeliveryState {
  readonly maxConnections: number | undefined;
  /** Deliveries posted and not answered yet. */
  readonly inFlight: number;
  /** The most ever in flight at once. */
  readonly maxInFlightSeen: number;
  readonly pendingUpdateCount: number;
  readonly droppedUpdateCount: number;
  readonly droppedUpdateIds: readonly number[];
}

interface Retry {
  /** Failed tries so far. */
  readonly failures: number;
  /** Not tried again before this time (ms). */
  notBefore: number;
}

type Outcome = Omit<DeliveryAttempt, 'attempt'> & { reply?: Record<string, unknown> };

export class WebhookDelivery {
  private stopped = false;
  /** Delivery queues with an update in flight (at most one each). */
  private readonly busyQueues = new Set<string>();
  private maxInFlightSeen = 0;
  private readonly retries = new WeakMap<Update, Retry>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;

  constructor(
    private readonly bot: BotState,
    private readonly settings: DeliverySettings,
    private readonly hooks: DeliveryHooks,
  ) {}

  /**
   * Something changed (new update, webhook set): deliver now. Updates waiting out a backoff pause
   * are tried at once too, as the emulator always did, so that tests need not wait out pauses
   * (Telegram keeps its pauses; nothing in the fleet depends on either).
   */
  kick(): void {
    if (this.stopped) return;
    for (const update of this.bot.pending) {
      const retry = this.retries.get(update);
      if (retry !== undefined) retry.notBefore = 0;
    }
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.wakeTimer);
  }

  state(): DeliveryState {
    return {
      maxConnections: this.bot.webhook?.maxConnections,
      inFlight: this.busyQueues.size,
      maxInFlightSeen: this.maxInFlightSeen,
      pendingUpdateCount: this.bot.pending.length,
      droppedUpdateCount: this.bot.droppedUpdateIds.length,
      droppedUpdateIds: [...this.bot.droppedUpdateIds],
    };
  }

  /** Starts every delivery that may start now: the head of each idle queue, up to max_connections. */
  private pump(): void {
    const webhook = this.bot.webhook;
    if (this.stopped || webhook === undefined) return;
    const now = Date.now();
    let wakeAt = Infinity;
    const seen = new Set<string>();
    for (const update of this.bot.pending) {
      if (this.busyQueues.size >= webhook.maxConnections) break;
      const queue = deliveryQueueOf(update);
      if (seen.has(queue)) continue; // only a queue's oldest update may go
      seen.add(queue);
      if (this.busyQueues.has(queue)) continue;
      const retry = this.retries.get(update);
      if (retry !== undefined && retry.notBefore > now) {
        wakeAt = Math.min(wakeAt, retry.notBefore);
        continue;
      }
      this.start(webhook, update, queue);
    }
    this.wakeUpAt(wakeAt);
  }

  private start(webhook: WebhookSettings, update: Update, queue: string): void {
    this.busyQueues.add(queue);
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.busyQueues.size);
    void this.post(webhook, update).then((outcome) => {
      this.busyQueues.delete(queue);
      this.settle(update, outcome);
      this.pump();
    });
  }

  private settle(update: Update, outcome: Outcome): void {
    const index = this.bot.pending.indexOf(update);
    if (index < 0) return; // dropped meanwhile (deleteWebhook with drop_pending_updates)
    const failures = (this.retries.get(update)?.failures ?? 0) + (outcome.delivered ? 0 : 1);
    if (outcome.delivered) {
      this.bot.pending.splice(index, 1);
      this.retries.delete(update);
      const { reply, ...attempt } = outcome;
      this.hooks.attempted({ ...attempt, attempt: failures + 1 });
      if (reply !== undefined) this.hooks.webhookReply(this.bot, reply);
      return;
    }
    this.bot.lastError = { date: unixTime(), message: outcome.error ?? 'Connection failed' };
    const pauseMs = Math.min(this.settings.backoff.capMs, this.settings.backoff.baseMs * 2 ** (failures - 1));
    const now = Date.now();
    const queuedAt = this.bot.queuedAt.get(update) ?? now;
    const dropped = this.settings.maxAttempts !== undefined && failures >= this.settings.maxAttempts ? 'attempts' : now + pauseMs - queuedAt > this.settings.maxAgeMs ? 'age' : undefined;
    this.hooks.attempted({ ...outcome, attempt: failures, ...(dropped === undefined ? {} : { dropped }) });
    if (dropped !== undefined) {
      this.bot.pending.splice(index, 1);
      this.retries.delete(update);
      this.bot.droppedUpdateIds.push(update.update_id);
      return;
    }
    this.retries.set(update, { failures, notBefore: now + pauseMs });
  }

  private wakeUpAt(at: number): void {
    if (at === Infinity || at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeAt = Infinity;
      this.pump();
    }, Math.max(0, at - Date.now()));
  }

  private async post(webhook: WebhookSettings, update: Update): Promise<Outcome> {
    const base = { botId: this.bot.id, updateId: update.update_id, at: Date.now() };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = webhook.secretToken;
    try {
      const response = await fetch(this.settings.route?.(webhook.url) ?? webhook.url, {
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
