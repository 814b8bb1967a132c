/**
 * The one Telegram Bot API client of Nova: every outgoing call of a bot goes through its
 * TelegramClient. It paces messages to Telegram's documented limits (per chat, per group, per
 * bot) with a bounded queue per chat, honours 429 `retry_after`, retries 5xx and timeouts with
 * backoff, fails fast through a circuit breaker per bot while the API keeps failing, opens a
 * span per call, and never lets the token out (errors and spans name the bot id).
 */
import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { ApiMethods, Opts, Ret } from '@telegraf/types';
import type { Registry } from 'prom-client';
import { CIRCUIT_DEFAULTS, CircuitBreaker, CircuitOpenError, currentWaitLedger, sleep, type CircuitBreakerOptions, type CircuitState } from '@nova/resilience';
import { callWithRetries, isServerFailure } from './call-attempts.js';
import { TelegramApiError, TelegramQueueFullError, TelegramRateLimitError, TelegramSendNotStartedError, TelegramTransportError } from './errors.js';
import { SILENT_LOGGER, type TelegramLogger } from './logger.js';
import { sendTargetOf } from './methods.js';
import { telegramMetrics, type CallOutcome, type TelegramMetrics } from './metrics.js';
import type { InputFileUpload } from './request-body.js';
import type { SendGate } from './send-gate.js';
import { SendScheduler, type Answered, type Pace } from './send-scheduler.js';
import { DEFAULT_RATE_LIMITS, DEFAULT_RETRY, withDefaults, type RateLimitSettings, type RetrySettings } from './settings.js';
import { botIdOf } from './token.js';
import { postMethod } from './transport.js';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** Every Bot API method, typed by @telegraf/types; files are uploaded as bytes. */
export type TelegramMethods = ApiMethods<InputFileUpload>;
export type TelegramMethod = keyof TelegramMethods;
export type MethodParams<M extends TelegramMethod> = Opts<InputFileUpload>[M];
export type MethodResult<M extends TelegramMethod> = Ret<InputFileUpload>[M];

export interface TelegramClientOptions {
  /** The bot's token; kept in a private field, never logged or thrown. */
  readonly token: string;
  /** Default https://api.telegram.org; the emulator's address in tests (NOVA_TELEGRAM_API_ROOT). */
  readonly apiRoot?: string;
  /** Deadline of one HTTP attempt. Default 10 s. */
  readonly timeoutMs?: number;
  /** Client-side pacing; `false` sends at once (for tests that want Telegram's 429s). */
  readonly limits?: Partial<RateLimitSettings> | false;
  readonly retry?: Partial<RetrySettings>;
  /** The bot's budget shared with other processes (one sender per bot at a time); default none: this process is its only sender. */
  readonly gate?: SendGate;
  /** The bot's circuit breaker (name `telegram:<bot id>`). Default: opens on 5 failures of the last 10 calls, for 10 s. */
  readonly circuit?: Omit<CircuitBreakerOptions, 'onStateChange' | 'isFailure'>;
  /** Where nova_circuit_state and nova_telegram_calls_total go. Default prom-client's global registry. */
  readonly registry?: Registry;
  readonly logger?: TelegramLogger;
  readonly tracer?: Tracer;
}

export interface CallOptions {
  /** Cancels the call while queued, waiting or in flight (the abort reason is thrown). */
  readonly signal?: AbortSignal;
  /**
   * Gives the call up while it still waits for its first turn (pacing, the bot's shared budget),
   * and only then: it throws TelegramSendNotStartedError, and the message surely was not sent.
   * Once an attempt went out the call runs to its answer (a caller with a deadline uses this so
   * as not to answer late because the bot is busy, without making a message's fate unknown).
   */
  readonly startBy?: AbortSignal;
}

const NO_PACE: Pace = () => Promise.resolve();

export class TelegramClient {
  /** The number before ':' in the token: how logs, errors and metrics name the bot. */
  readonly botId: string;
  readonly apiRoot: string;
  readonly #apiHost: string;
  readonly #token: string;
  readonly #breaker: CircuitBreaker;
  readonly #scheduler: SendScheduler | undefined;
  readonly #retry: RetrySettings;
  readonly #timeoutMs: number;
  readonly #logger: TelegramLogger;
  readonly #tracer: Tracer;
  readonly #metrics: TelegramMetrics;
  /** For the CircuitOpenError of a call refused before it queues. */
  #openUntil = 0;
  #lastFailure: string | undefined;

  constructor(options: TelegramClientOptions) {
    this.botId = botIdOf(options.token);
    this.#token = options.token;
    this.apiRoot = options.apiRoot ?? DEFAULT_API_ROOT;
    this.#apiHost = apiHostOf(this.apiRoot);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = withDefaults(DEFAULT_RETRY, options.retry);
    this.#logger = options.logger ?? SILENT_LOGGER;
    this.#tracer = options.tracer ?? trace.getTracer('@nova/telegram');
    this.#metrics = telegramMetrics(options.registry);
    this.#scheduler = options.limits === false ? undefined : new SendScheduler(this.botId, withDefaults(DEFAULT_RATE_LIMITS, options.limits), Date.now, sleep, options.gate);
    const now = options.circuit?.now ?? Date.now;
    const openMs = options.circuit?.openMs ?? CIRCUIT_DEFAULTS.openMs;
    this.#breaker = new CircuitBreaker(`telegram:${this.botId}`, {
      ...options.circuit,
      isFailure: (error) => {
        const failed = isServerFailure(error);
        if (failed) this.#lastFailure = (error as Error).message;
        return failed;
      },
      onStateChange: (state, circuit) => {
        if (state === 'open') this.#openUntil = now() + openMs;
        this.#metrics.circuitChanged(state, circuit);
        this.#logger.warn({ bot: this.botId, circuit, state }, `telegram circuit ${state}`);
      },
    });
    this.#metrics.watchCircuit(this.#breaker);
  }

  get circuitState(): CircuitState {
    return this.#breaker.state;
  }

  /** Messages queued for pacing or being sent. */
  get queued(): number {
    return this.#scheduler?.size ?? 0;
  }

  getMe(options?: CallOptions): Promise<MethodResult<'getMe'>> {
    return this.call('getMe', {}, options);
  }

  /** Pass `secret_token` (1-256 of A-Za-z0-9_-): Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. */
  setWebhook(params: MethodParams<'setWebhook'>, options?: CallOptions): Promise<true> {
    return this.call('setWebhook', params, options);
  }

  deleteWebhook(params: MethodParams<'deleteWebhook'> = {}, options?: CallOptions): Promise<true> {
    return this.call('deleteWebhook', params, options);
  }

  getWebhookInfo(options?: CallOptions): Promise<MethodResult<'getWebhookInfo'>> {
    return this.call('getWebhookInfo', {}, options);
  }

  sendMessage(params: MethodParams<'sendMessage'>, options?: CallOptions): Promise<MethodResult<'sendMessage'>> {
    return this.call('sendMessage', params, options);
  }

  editMessageText(params: MethodParams<'editMessageText'>, options?: CallOptions): Promise<MethodResult<'editMessageText'>> {
    return this.call('editMessageText', params, options);
  }

  answerCallbackQuery(params: MethodParams<'answerCallbackQuery'>, options?: CallOptions): Promise<true> {
    return this.call('answerCallbackQuery', params, options);
  }

  /** `photo`: a URL or file_id string, or `{ source: bytes, filename }`. */
  sendPhoto(params: MethodParams<'sendPhoto'>, options?: CallOptions): Promise<MethodResult<'sendPhoto'>> {
    return this.call('sendPhoto', params, options);
  }

  getChat(params: MethodParams<'getChat'>, options?: CallOptions): Promise<MethodResult<'getChat'>> {
    return this.call('getChat', params, options);
  }

  /** A member's status and rights; with the bot's own id, whether it may post in a channel (can_post_messages). */
  getChatMember(params: MethodParams<'getChatMember'>, options?: CallOptions): Promise<MethodResult<'getChatMember'>> {
    return this.call('getChatMember', params, options);
  }

  getChatAdministrators(params: MethodParams<'getChatAdministrators'>, options?: CallOptions): Promise<MethodResult<'getChatAdministrators'>> {
    return this.call('getChatAdministrators', params, options);
  }

  /** Any Bot API method, typed. */
  async call<M extends TelegramMethod>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>> {
    return (await this.callRaw(method, params, options)) as MethodResult<M>;
  }

  /** Any method by name, untyped (what the telegraf integration goes through). */
  callRaw(method: string, params: Readonly<Record<string, unknown>> = {}, options: CallOptions = {}): Promise<unknown> {
    const target = sendTargetOf(method, params);
    const attributes = {
      'rpc.system': 'telegram_bot_api',
      'rpc.method': method,
      'server.address': this.#apiHost,
      'telegram.bot.id': this.botId,
      ...(target?.chatKey === undefined ? {} : { 'telegram.chat.id': target.chatKey }),
    };
    // The caller's, taken here: the scheduler may run the attempts from another caller's turn.
    const ledger = currentWaitLedger();
    return this.#tracer.startActiveSpan(`telegram.${method}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      let outcome: CallOutcome = 'ok';
      try {
        this.#failFastWhileOpen();
        const send = (pace: Pace, answered?: Answered): Promise<unknown> =>
          callWithRetries(() => postMethod({ apiRoot: this.apiRoot, token: this.#token, botId: this.botId, timeoutMs: this.#timeoutMs }, method, params, options.signal, answered), {
            method, botId: this.botId, breaker: this.#breaker, retry: this.#retry, logger: this.#logger, span, signal: options.signal, pace, ledger,
          });
        if (target === undefined || this.#scheduler === undefined) return await send(NO_PACE);
        return await this.#scheduler.run(method, target, send, options.signal, options.startBy);
      } catch (error) {
        outcome = outcomeOf(error);
        if (error instanceof TelegramApiError) span.setAttribute('telegram.error_code', error.errorCode);
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        this.#metrics.callFinished(method, outcome);
        span.end();
      }
    });
  }

  /** Resolves when no message is queued or being sent (for a graceful stop). */
  idle(): Promise<void> {
    return this.#scheduler?.idle() ?? Promise.resolve();
  }

  /** Refuses new messages; queued ones that have not started fail with TelegramClientClosedError. */
  close(): void {
    this.#scheduler?.close();
  }

  /** Never the token. */
  toJSON(): { botId: string; apiRoot: string } {
    return { botId: this.botId, apiRoot: this.apiRoot };
  }

  /** An open circuit refuses at once, before the call waits in a queue it would fail at the end of. */
  #failFastWhileOpen(): void {
    if (this.#breaker.state === 'open') throw new CircuitOpenError(this.#breaker.name, this.#openUntil, this.#lastFailure);
  }
}

function apiHostOf(apiRoot: string): string {
  try {
    const url = new URL(apiRoot);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.hostname;
  } catch {
    // reported below
  }
  throw new RangeError(`apiRoot must be an http(s) URL such as ${DEFAULT_API_ROOT}`);
}

function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof TelegramQueueFullError) return 'queue_full';
  if (error instanceof TelegramSendNotStartedError) return 'not_started';
  if (error instanceof TelegramRateLimitError) return 'rate_limited';
  if (error instanceof TelegramApiError) return 'api_error';
  if (error instanceof TelegramTransportError) return 'transport_error';
  return 'aborted';
}
