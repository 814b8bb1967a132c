/**
 * A Telegram Bot API emulator on loopback HTTP, for tests and the demo. Register bots, point a
 * TelegramClient (or anything speaking the Bot API) at `apiRoot`, make simulated users write to
 * the bots, and assert on the calls the bots made.
 *
 *   const telegram = await TelegramEmulator.start();
 *   const bot = telegram.createBot({ username: 'nova_bot' });
 *   // ...bot's code calls setWebhook(url, secret_token) against telegram.apiRoot...
 *   const reply = telegram.nextMessageTo(42);
 *   telegram.userSends(bot.token, { from: { id: 42, first_name: 'Ann' }, text: '/start' });
 *   expect((await reply).text).toContain('Welcome');
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { answerCall, type CallContext } from './api-calls.js';
import { randomBytes } from 'node:crypto';
import { BotState, type ChatMembership, type PostedStory } from './bot-state.js';
import { generateToken, botIdOfToken, TOKEN_PATTERN } from './bot-token.js';
import { CallLog, type CallPredicate, type RecordedCall } from './call-log.js';
import { handleControl } from './control-api.js';
import { FaultPlan, type FaultSpec } from './faults.js';
import { createEmulatorServer } from './http-server.js';
import type { MethodEnv } from './methods/index.js';
import { RateLimiter, TELEGRAM_RATE_LIMITS, type EmulatorRateLimits } from './rate-limits.js';
import { callbackQueryUpdate, messageUpdate, type UserClick, type UserMessage } from './updates.js';
import { DEFAULT_DELIVERY, WebhookDelivery, type DeliveryAttempt, type DeliverySettings, type DeliveryState } from './webhook-delivery.js';
import { unixTime, type BotUser, type BusinessConnection, type Chat, type Message, type Update, type WebhookInfo } from './wire.js';
import { asUser, type UserSpec } from './updates.js';

export interface TelegramEmulatorOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Telegram's documented limits by default; tighten them in tests, or `false` to turn them off. */
  readonly rateLimits?: Partial<EmulatorRateLimits> | false;
  readonly delivery?: Partial<DeliverySettings>;
  /** Refuse http:// webhooks like Telegram (default false: tests receive on loopback http). */
  readonly requireHttps?: boolean;
  readonly bodyLimitBytes?: number;
}

export interface NewBot {
  readonly username: string;
  readonly firstName?: string;
  /** A fixed token (config files, the demo); a fresh one otherwise. */
  readonly token?: string;
}

export interface EmulatedBot {
  readonly token: string;
  readonly id: number;
  readonly username: string;
}

/** A Telegram Business account connecting a bot (Settings → Telegram Business → Chatbots). */
export interface BusinessConnectionSpec {
  /** The business account's user. */
  readonly user: UserSpec;
  /** BusinessBotRights.can_manage_stories: the bot may post stories for the account. */
  readonly canManageStories: boolean;
  /** False: the account disconnected the bot (default true). */
  readonly enabled?: boolean;
  /** Keep an id across calls (changing rights of one connection); a fresh one otherwise. */
  readonly id?: string;
}

/** A bot by its token or its id. */
export type BotRef = string | number;

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly botId?: number;
}

const DEFAULT_WAIT_MS = 10_000;

export class TelegramEmulator {
  private readonly bots = new Map<number, BotState>();
  /** Everyone who wrote to any of the bots (BotState.people). */
  private readonly people = new Set<number>();
  private readonly faults = new Map<number, FaultPlan>();
  private readonly deliveryOf = new Map<number, WebhookDelivery>();
  private readonly deliveryLog: DeliveryAttempt[] = [];
  private readonly deliveryWaiters = new Set<() => void>();
  private readonly updateWaiters = new Map<number, Set<() => void>>();
  private readonly log = new CallLog();
  private readonly limiter: RateLimiter;
  private limitsOn: boolean;
  private readonly delivery: DeliverySettings;
  private server: Server | undefined;
  private address = '';

  private constructor(private readonly options: TelegramEmulatorOptions) {
    this.limitsOn = options.rateLimits !== false;
    this.limiter = new RateLimiter(mergeLimits(options.rateLimits === false ? undefined : options.rateLimits));
    this.delivery = { ...DEFAULT_DELIVERY, ...options.delivery };
    const { maxAttempts, maxAgeMs } = this.delivery;
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError('telegram emulator: delivery.maxAttempts must be an integer >= 1');
    if (!(maxAgeMs > 0)) throw new RangeError('telegram emulator: delivery.maxAgeMs must be > 0');
  }

  static async start(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
    const emulator = new TelegramEmulator(options);
    await emulator.listen();
    return emulator;
  }

  /** The Bot API root to give clients, e.g. http://127.0.0.1:41234 (NOVA_TELEGRAM_API_ROOT). */
  get apiRoot(): string {
    return this.address;
  }

  createBot(input: NewBot): EmulatedBot {
    const token = input.token ?? generateToken();
    const id = botIdOfToken(token);
    if (id === undefined || !TOKEN_PATTERN.test(token)) throw new RangeError('telegram emulator: a bot token is <digits>:<35 characters of A-Za-z0-9_->');
    if (this.bots.has(id)) throw new RangeError(`telegram emulator: bot ${String(id)} exists already`);
    const user: BotUser = {
      id, is_bot: true, first_name: input.firstName ?? input.username, username: input.username,
      can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false,
    };
    const bot = new BotState(token, user, this.people);
    this.bots.set(id, bot);
    this.faults.set(id, new FaultPlan());
    this.deliveryOf.set(id, new WebhookDelivery(bot, this.delivery, {
      attempted: (attempt) => { this.attempted(attempt); },
      webhookReply: (state, body) => { void this.executeWebhookReply(state, body); },
    }));
    return { token, id, username: input.username };
  }

  /**
   * The owner revokes the token with @BotFather (/revoke): the old token gets 401 Unauthorized
   * from now on, and the bot (same id, webhook, chats) answers to the new one, returned here.
   */
  revokeToken(bot: BotRef): EmulatedBot {
    const state = this.botState(bot);
    state.token = generateToken(state.id);
    return { token: state.token, id: state.id, username: state.user.username };
  }

  /** A user writes to a bot: the Update is queued and delivered (webhook) or kept for getUpdates. */
  userSends(bot: BotRef, message: UserMessage): Update {
    const state = this.botState(bot);
    return this.enqueue(state, messageUpdate(state, message));
  }

  /** A user presses an inline button of a message the bot sent. */
  userClicks(bot: BotRef, click: UserClick): Update {
    const state = this.botState(bot);
    const message = state.findMessage(click.chatId, click.messageId);
    if (message?.from?.id !== state.id) throw new RangeError(`telegram emulator: bot ${String(state.id)} sent no message ${String(click.messageId)} to chat ${String(click.chatId)}`);
    return this.enqueue(state, callbackQueryUpdate(state, click, message));
  }

  /** The bot was added to a group or channel, so it may write there. */
  addChat(bot: BotRef, chat: Chat): void {
    this.botState(bot).knowChat(chat);
  }

  /**
   * The bot was added to a group or channel with this standing (an administrator with or without
   * can_post_messages, a plain member, ...), as getChatMember will report it. Change it by calling
   * again; `kickFromChat` removes the bot.
   */
  joinChat(bot: BotRef, chat: Chat, membership: ChatMembership): void {
    const state = this.botState(bot);
    state.knowChat(chat);
    state.memberships.set(chat.id, membership);
  }

  /** An administrator removed the bot: from now on every call there gets 403 "Forbidden: bot was kicked from the <type> chat". */
  kickFromChat(bot: BotRef, chatId: number): void {
    const state = this.botState(bot);
    state.memberships.set(chatId, { ...state.memberships.get(chatId), status: 'kicked' });
  }

  /**
   * A Telegram Business account connects the bot, or changes the rights of (or disconnects) a
   * connection it made (same `id`): the bot gets a business_connection update, as from Telegram,
   * and getBusinessConnection / postStory answer by it from now on.
   */
  connectBusiness(bot: BotRef, spec: BusinessConnectionSpec): BusinessConnection {
    const state = this.botState(bot);
    const connection: BusinessConnection = {
      id: spec.id ?? randomBytes(12).toString('base64url'),
      user: asUser(spec.user),
      user_chat_id: spec.user.id,
      date: unixTime(),
      rights: spec.canManageStories ? { can_manage_stories: true } : {},
      is_enabled: spec.enabled ?? true,
    };
    state.businessConnections.set(connection.id, connection);
    this.enqueue(state, { update_id: state.takeUpdateId(), business_connection: connection });
    return connection;
  }

  /** Stories the bot posted (postStory answered ok), oldest first. */
  storiesOf(bot: BotRef): readonly PostedStory[] {
    return [...this.botState(bot).stories];
  }

  /** From now on the bot gets 403 "Forbidden: bot was blocked by the user" in this user's chat. */
  userBlocksBot(bot: BotRef, userId: number): void {
    this.botState(bot).blockedBy.add(userId);
  }

  userUnblocksBot(bot: BotRef, userId: number): void {
    this.botState(bot).blockedBy.delete(userId);
  }

  /** Makes the bot's API fail (5xx, hang, 429) for a while; returns a function that removes the fault. */
  injectFault(bot: BotRef, fault: FaultSpec): () => void {
    return this.faultPlan(bot).add(fault, Date.now());
  }

  clearFaults(bot: BotRef): void {
    this.faultPlan(bot).clear();
  }

  /** Changes the limits (a partial change keeps the rest); `false` turns them off. Counts start over. */
  setRateLimits(limits: Partial<EmulatorRateLimits> | false): void {
    this.limitsOn = limits !== false;
    if (limits !== false) this.limiter.setLimits(mergeLimits({ ...this.limiter.current, ...limits }));
  }

  webhookInfo(bot: BotRef): WebhookInfo {
    const state = this.botState(bot);
    return {
      url: state.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: state.pending.length,
      ...(state.webhook === undefined ? {} : { max_connections: state.webhook.maxConnections }),
      ...(state.lastError === undefined ? {} : { last_error_date: state.lastError.date, last_error_message: state.lastError.message }),
    };
  }

  /** Every call answered so far (optionally filtered), oldest first. */
  calls(predicate?: CallPredicate): RecordedCall[] {
    return this.log.all(predicate);
  }

  /** The next call matching `predicate` from now on (or after `afterSeq`). */
  waitForCall(predicate: CallPredicate, options: WaitOptions & { afterSeq?: number } = {}): Promise<RecordedCall> {
    return this.log.waitFor(predicate, options.afterSeq ?? this.log.lastSeq, options.timeoutMs ?? DEFAULT_WAIT_MS, 'matching call');
  }

  /** The next message a bot successfully sends to the chat from now on. Start waiting before causing it. */
  async nextMessageTo(chatId: number, options: WaitOptions = {}): Promise<Message> {
    const call = await this.log.waitFor(
      (recorded) => recorded.ok && isSentTo(recorded, chatId, options.botId),
      this.log.lastSeq,
      options.timeoutMs ?? DEFAULT_WAIT_MS,
      `message to chat ${String(chatId)}`,
    );
    return call.result as Message;
  }

  /** Waits until bots have sent at least `count` messages to the chat (counting those already sent); answers them all. */
  async waitForMessages(chatId: number, count: number, options: WaitOptions = {}): Promise<Message[]> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      const sent = this.sentMessages(chatId, options.botId);
      if (sent.length >= count) return sent;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`telegram emulator: ${String(sent.length)} of ${String(count)} messages to chat ${String(chatId)} after waiting`);
      await this.log.waitFor((recorded) => recorded.ok && isSentTo(recorded, chatId, options.botId), this.log.lastSeq, left, 'message').catch(() => undefined);
    }
  }

  /** Messages bots have sent to the chat, as they are now (edits applied, deleted ones gone), oldest first. */
  messagesTo(chatId: number, options: { botId?: number } = {}): Message[] {
    return [...this.bots.values()]
      .filter((bot) => options.botId === undefined || bot.id === options.botId)
      .flatMap((bot) => (bot.messages.get(chatId) ?? []).filter((message) => message.from?.id === bot.id));
  }

  /** How a callback query was answered (undefined while unanswered). */
  callbackAnswer(bot: BotRef, queryId: string): { text: string | undefined; showAlert: boolean } | undefined {
    return this.botState(bot).callbackQueries.get(queryId)?.answer;
  }

  /**
   * What the bot's webhook delivery is doing: max_connections, deliveries in flight now and the
   * most ever at once, pending updates, and the updates given up on (dropped after failing).
   */
  deliveryState(bot: BotRef): DeliveryState {
    const delivery = this.deliveryOf.get(this.botState(bot).id);
    if (delivery === undefined) throw new RangeError('telegram emulator: no webhook delivery');
    return delivery.state();
  }

  /** Every webhook delivery attempt so far, oldest first. */
  deliveries(botId?: number): DeliveryAttempt[] {
    return this.deliveryLog.filter((attempt) => botId === undefined || attempt.botId === botId);
  }

  /** Resolves with the attempt that delivered the update (2xx). */
  async waitForDelivery(bot: BotRef, updateId: number, options: WaitOptions = {}): Promise<DeliveryAttempt> {
    const botId = this.botState(bot).id;
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      const done = this.deliveryLog.find((attempt) => attempt.botId === botId && attempt.updateId === updateId && attempt.delivered);
      if (done !== undefined) return done;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`telegram emulator: update ${String(updateId)} of bot ${String(botId)} not delivered in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const waiters = this.deliveryWaiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    for (const delivery of this.deliveryOf.values()) delivery.stop();
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    });
  }

  /** For the control API and tests that need a bot's state. */
  botState(bot: BotRef): BotState {
    const id = typeof bot === 'number' ? bot : botIdOfToken(bot);
    const state = id === undefined ? undefined : this.bots.get(id);
    if (state === undefined || (typeof bot === 'string' && state.token !== bot)) throw new RangeError(`telegram emulator: no such bot ${id === undefined ? '(not a token)' : String(id)}`);
    return state;
  }

  private enqueue(bot: BotState, update: Update): Update {
    const kind = Object.keys(update).find((key) => key !== 'update_id') ?? 'message';
    if (bot.webhook?.allowedUpdates !== undefined && bot.webhook.allowedUpdates.length > 0 && !bot.webhook.allowedUpdates.includes(kind)) return update;
    bot.pending.push(update);
    bot.queuedAt.set(update, Date.now());
    this.deliveryOf.get(bot.id)?.kick();
    for (const wake of this.updateWaiters.get(bot.id) ?? []) wake();
    return update;
  }

  private attempted(attempt: DeliveryAttempt): void {
    this.deliveryLog.push(attempt);
    for (const wake of [...this.deliveryWaiters]) wake();
  }

  private async executeWebhookReply(bot: BotState, body: Record<string, unknown>): Promise<void> {
    const { method, ...params } = body;
    await answerCall(this.callContext, bot.token, String(method), () => Promise.resolve(params), 'webhook-reply');
  }

  private faultPlan(bot: BotRef): FaultPlan {
    const plan = this.faults.get(this.botState(bot).id);
    if (plan === undefined) throw new RangeError('telegram emulator: no fault plan');
    return plan;
  }

  private sentMessages(chatId: number, botId: number | undefined): Message[] {
    return this.log.all((call) => call.ok && isSentTo(call, chatId, botId)).map((call) => call.result as Message);
  }

  private get env(): MethodEnv {
    return {
      requireHttps: this.options.requireHttps ?? false,
      webhookChanged: (bot) => this.deliveryOf.get(bot.id)?.kick(),
      waitForUpdate: (bot, timeoutMs) => new Promise<void>((resolve) => {
        const waiters = this.updateWaiters.get(bot.id) ?? new Set<() => void>();
        this.updateWaiters.set(bot.id, waiters);
        const timer = setTimeout(wake, timeoutMs);
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      }),
    };
  }

  private get callContext(): CallContext {
    return {
      botByToken: (token) => {
        const id = botIdOfToken(token);
        const bot = id === undefined ? undefined : this.bots.get(id);
        return bot?.token === token ? bot : undefined;
      },
      faultsOf: (bot) => this.faultPlan(bot.id),
      limiter: () => (this.limitsOn ? this.limiter : undefined),
      log: this.log,
      env: this.env,
    };
  }

  private async listen(): Promise<void> {
    const server = createEmulatorServer(this.callContext, (request, url, body) => handleControl(this, request, url, body), this.options.bodyLimitBytes ?? 20 * 1024 * 1024);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => { resolve(); });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.address = `http://${host}:${String(address.port)}`;
    this.server = server;
  }
}

const MESSAGE_METHODS = new Set(['sendMessage', 'sendPhoto']);

function isSentTo(call: RecordedCall, chatId: number, botId: number | undefined): boolean {
  if (!MESSAGE_METHODS.has(call.method) || (botId !== undefined && call.botId !== botId)) return false;
  const result = call.result as Message | undefined;
  return result?.chat.id === chatId;
}

function mergeLimits(limits: Partial<EmulatorRateLimits> | undefined): EmulatorRateLimits {
  return { ...TELEGRAM_RATE_LIMITS, ...limits };
}
