/**
 * A Bot API emulator over real HTTP for the bots context's tests: the four methods the domain
 * uses (getMe, setWebhook, deleteWebhook, sendMessage) with Telegram's response shapes and
 * error answers (401 for an unknown token, 400 for a bad request, 403 for a user who blocked
 * the bot, 429 with retry_after, 5xx), and a record of every call. The project-wide emulator
 * (webhook delivery, rate limits) belongs to packages/telegram's work; this one is only what the
 * domain's flow needs.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatedBot {
  readonly id: number;
  readonly username: string;
  readonly token: string;
  webhook: { url: string; secretToken: string | undefined; allowedUpdates: readonly string[] } | undefined;
}

export interface RecordedCall {
  readonly method: string;
  /** The bot the call was made as (from its token), undefined for an unknown token. */
  readonly botId: number | undefined;
  readonly params: Record<string, unknown>;
  readonly status: number;
}

export interface SentMessage {
  readonly botId: number;
  readonly chatId: number;
  readonly text: string;
  readonly replyMarkup: unknown;
}

interface PlannedFailure {
  readonly status: number;
  readonly description: string;
  readonly retryAfter?: number;
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class TelegramEmulator {
  readonly calls: RecordedCall[] = [];
  readonly sent: SentMessage[] = [];
  /** Every token ever issued, revoked ones included: what a log or error scan looks for. */
  readonly issuedTokens: string[] = [];
  private readonly bots = new Map<string, EmulatedBot>();
  /** chat ids that blocked a bot, per bot id. */
  private readonly blocked = new Map<number, Set<number>>();
  private readonly failures = new Map<string, PlannedFailure[]>();
  private nextBotId = 7_100_000_000;
  private nextMessageId = 1;

  private constructor(
    private readonly server: Server,
    /** The apiRoot, e.g. http://127.0.0.1:41234 (what NOVA_TELEGRAM_API_ROOT would be). */
    readonly apiRoot: string,
  ) {}

  static async start(): Promise<TelegramEmulator> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const emulator = new TelegramEmulator(server, `http://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      emulator.handle(request).then(
        ([status, payload]) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload)),
        () => response.writeHead(500).end(),
      );
    });
    return emulator;
  }

  /** A bot as @BotFather would create it; returns it with its token. */
  createBot(username: string): EmulatedBot {
    const id = this.nextBotId++;
    const token = `${id}:AA${randomBytes(33).toString('base64url').slice(0, 33)}`;
    const bot: EmulatedBot = { id, username, token, webhook: undefined };
    this.bots.set(token, bot);
    this.issuedTokens.push(token);
    return bot;
  }

  /** /revoke in @BotFather: the old token stops working. */
  revoke(bot: EmulatedBot): void {
    this.bots.delete(bot.token);
  }

  block(botId: number, chatId: number): void {
    const chats = this.blocked.get(botId) ?? new Set<number>();
    chats.add(chatId);
    this.blocked.set(botId, chats);
  }

  /** The next `count` calls of `method` fail with this status (500, 502, 429 ...). */
  failNext(method: string, count: number, status: number, retryAfter?: number): void {
    const description = status === 429 ? `Too Many Requests: retry after ${retryAfter ?? 1}` : status === 502 ? 'Bad Gateway' : 'Internal Server Error';
    const planned = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) planned.push({ status, description, ...(retryAfter === undefined ? {} : { retryAfter }) });
    this.failures.set(method, planned);
  }

  bot(id: number): EmulatedBot | undefined {
    return [...this.bots.values()].find((bot) => bot.id === id);
  }

  sentTo(chatId: number): SentMessage[] {
    return this.sent.filter((message) => message.chatId === chatId);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  private async handle(request: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const notFound: [number, unknown] = [404, { ok: false, error_code: 404, description: 'Not Found' }];
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    if ((request.method !== 'POST' && request.method !== 'GET') || !match?.[1] || !match[2]) return notFound;
    const [, token, method] = match;
    let params: Record<string, unknown> = {};
    const body = Buffer.concat(chunks).toString('utf8');
    if (body !== '') {
      try {
        params = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return [400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" }];
      }
    }
    const bot = this.bots.get(token);
    const answer = (status: number, payload: unknown): [number, unknown] => {
      this.calls.push({ method, botId: bot?.id, params, status });
      return [status, payload];
    };
    if (bot === undefined) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const failure = this.failures.get(method)?.shift();
    if (failure !== undefined) {
      return answer(failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
        ...(failure.retryAfter === undefined ? {} : { parameters: { retry_after: failure.retryAfter } }),
      });
    }
    return answer(...this.call(bot, method, params));
  }

  private call(bot: EmulatedBot, method: string, params: Record<string, unknown>): [number, unknown] {
    const bad = (description: string): [number, unknown] => [400, { ok: false, error_code: 400, description: `Bad Request: ${description}` }];
    switch (method) {
      case 'getMe':
        return [200, { ok: true, result: { id: bot.id, is_bot: true, first_name: bot.username, username: bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } }];
      case 'setWebhook': {
        const url = typeof params.url === 'string' ? params.url : '';
        if (url === '') return bad('bad webhook: URL must be provided');
        if (!url.startsWith('https://')) return bad('bad webhook: An HTTPS URL must be provided for webhook');
        const secret = params.secret_token;
        if (secret !== undefined && (typeof secret !== 'string' || !SECRET_TOKEN.test(secret))) return bad('secret token contains unallowed characters');
        const allowed = Array.isArray(params.allowed_updates) ? (params.allowed_updates as string[]) : [];
        bot.webhook = { url, secretToken: secret, allowedUpdates: allowed };
        return [200, { ok: true, result: true, description: 'Webhook was set' }];
      }
      case 'deleteWebhook': {
        const had = bot.webhook !== undefined;
        bot.webhook = undefined;
        return [200, { ok: true, result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' }];
      }
      case 'sendMessage': {
        const chatId = params.chat_id;
        const text = params.text;
        if (typeof chatId !== 'number' && typeof chatId !== 'string') return bad('chat_id is empty');
        if (typeof text !== 'string' || text.trim() === '') return bad('message text is empty');
        if (text.length > 4096) return bad('message is too long');
        const chat = Number(chatId);
        if (this.blocked.get(bot.id)?.has(chat) === true) return [403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }];
        this.sent.push({ botId: bot.id, chatId: chat, text, replyMarkup: params.reply_markup });
        const messageId = this.nextMessageId++;
        return [200, { ok: true, result: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: chat > 0 ? 'private' : 'group' }, from: { id: bot.id, is_bot: true, first_name: bot.username, username: bot.username }, text } }];
      }
      default:
        return [404, { ok: false, error_code: 404, description: 'Not Found: method not found' }];
    }
  }
}
