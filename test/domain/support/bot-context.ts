/**
 * The bots context wired as the services wire it, on real parts: its own database on the test
 * bed's PostgreSQL holding both schemas (user_service and bot_service, each migrated by @nova/db),
 * the users context's real handlers as the UserRegistry, events through the production publisher
 * on a real JetStream bus of the fixture's own (DomainBus), and
 * Telegram played by @nova/telegram-emulator behind the real TelegramClients (the services'
 * gateway, ClientTelegramGateway).
 */
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  BOT_MIGRATIONS_DIR,
  BotKeyring,
  BotTokens,
  childWebhookUrl,
  createUpdateProcessor,
  mainBotIdentity,
  openBotDatabase,
  type BotDatabase,
  type UpdateProcessingDeps,
  type UpdateProcessor,
} from '@nova/bot-service/domain';
import { ClientTelegramGateway } from '@nova/bot-service/wiring';
import { BotRole, TelegramUpdateSchema, type TelegramUpdate } from '@nova/contracts';
import { migrate } from '@nova/db';
import { systemClock, type EventPublisher } from '@nova/domain';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, commandEntities, type Chat, type EmulatedBot, type RecordedCall } from '@nova/telegram-emulator';
import { USER_MIGRATIONS_DIR, createUserHandlers, openUserDatabase, type UserDatabase } from '@nova/user-service/domain';
import { Registry } from 'prom-client';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './database.js';
import { DomainBus } from './domain-bus.js';

export const PUBLIC_URL = 'https://nova.example.com';

export interface TelegramPerson {
  readonly id: number;
  readonly first_name: string;
  readonly username?: string;
  readonly language_code?: string;
}

/** A message a bot sent, as the Bot API call that sent it (reply keyboards included). */
export interface SentMessage {
  readonly botId: number;
  readonly chatId: number;
  readonly text: string;
  readonly replyMarkup: unknown;
}

/** setWebhook's max_connections the fixture's bots context asks for (a deployable passes its own). */
export const FIXTURE_WEBHOOK_MAX_CONNECTIONS = 25;

export class BotContextFixture {
  private nextUpdateId = 1;
  private nextMessageId = 1;
  /** Every token the emulator issued in this fixture, revoked ones included: what a leak scan looks for. */
  readonly issuedTokens: string[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly botDb: BotDatabase,
    readonly userDb: UserDatabase,
    readonly emulator: TelegramEmulator,
    readonly clients: TelegramClients,
    /** The bus events go out on, and what its NOVA stream holds. */
    readonly events: DomainBus,
    /** The NOVA_TOKEN_ENCRYPTION_KEY value. */
    readonly key: string,
    readonly mainBot: EmulatedBot,
    readonly deps: UpdateProcessingDeps,
    readonly process: UpdateProcessor,
  ) {}

  static async start(prefix: string): Promise<BotContextFixture> {
    const database = await createTestDatabase(prefix);
    await migrate({ connectionString: database.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
    await migrate({ connectionString: database.url, schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR });
    const botDb = openBotDatabase({ connectionString: database.url, maxConnections: 8 });
    const userDb = openUserDatabase({ connectionString: database.url, maxConnections: 4 });
    const emulator = await TelegramEmulator.start();
    const events = await DomainBus.start(`bot-context-${prefix}`);
    const publisher = events.publisher;
    const key = randomBytes(32).toString('base64');
    const keyring = BotKeyring.fromBase64(key);
    const main = emulator.createBot({ username: 'NovaMainBot' });
    // A failed call fails at once (no client-side retries): the domain's own retry is what is tested here.
    const clients = new TelegramClients({ apiRoot: emulator.apiRoot, registry: new Registry(), retry: { maxServerRetries: 0 } });
    const mainBot = mainBotIdentity(main.token);
    const users = createUserHandlers({ db: userDb, publisher });
    const deps: UpdateProcessingDeps = {
      db: botDb,
      keyring,
      gateway: new ClientTelegramGateway(clients),
      publisher,
      clock: systemClock,
      webhookUrl: childWebhookUrl(PUBLIC_URL),
      webhookMaxConnections: FIXTURE_WEBHOOK_MAX_CONNECTIONS,
      // The users context's handlers in process, as the monolith has them (its bus delivers svc.user.* to them).
      users: { upsert: users.upsert, get: users.get, setLanguage: users.set_language },
      mainBot,
      tokens: new BotTokens(botDb, keyring, mainBot),
    };
    const fixture = new BotContextFixture(database, botDb, userDb, emulator, clients, events, key, main, deps, createUpdateProcessor(deps));
    fixture.issuedTokens.push(main.token);
    return fixture;
  }

  /** The production EventPublisher (busEventPublisher) the contexts of this fixture publish through. */
  get publisher(): EventPublisher {
    return this.events.publisher;
  }

  /** A bot as @BotFather would create it. */
  createBot(username: string): EmulatedBot {
    const bot = this.emulator.createBot({ username });
    this.issuedTokens.push(bot.token);
    return bot;
  }

  /** /revoke in @BotFather: the old token stops working. */
  revoke(bot: EmulatedBot): void {
    this.issuedTokens.push(this.emulator.revokeToken(bot.id).token);
  }

  /** The bot's webhook as Telegram holds it. */
  webhookOf(bot: EmulatedBot): { url: string; secretToken: string | undefined; allowedUpdates: readonly string[] | undefined; maxConnections: number } | undefined {
    return this.emulator.botState(bot.id).webhook;
  }

  /** The next `times` calls of `method` by the bot fail with this status. */
  failNext(bot: EmulatedBot, method: string, times: number, status: 500 | 502 | 503): void {
    this.emulator.injectFault(bot.id, { status, times, methods: [method] });
  }

  /** Every Bot API call answered so far. */
  calls(predicate?: (call: RecordedCall) => boolean): RecordedCall[] {
    return this.emulator.calls(predicate);
  }

  /** Messages bots sent, optionally to one chat, oldest first. */
  sent(chatId?: number): SentMessage[] {
    return this.emulator
      .calls((call) => call.ok && call.method === 'sendMessage' && (chatId === undefined || Number(call.params.chat_id) === chatId))
      .map((call) => ({ botId: call.botId ?? 0, chatId: Number(call.params.chat_id), text: String(call.params.text), replyMarkup: call.params.reply_markup }));
  }

  /**
   * A Telegram update with a text message from a person, in their private chat unless another
   * chat is given; commands marked with bot_command entities as Telegram marks them (telegraf
   * routes commands by these).
   */
  /** `formatting`: the entities a person's client adds (bold, links…), after the command's own. */
  textUpdate(from: TelegramPerson, text: string | undefined, chat: { id: number; type: string } = { id: from.id, type: 'private' }, formatting: readonly Record<string, unknown>[] = []): Record<string, unknown> {
    const entities = text === undefined ? [] : [...commandEntities(text), ...formatting];
    return {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { ...from, is_bot: false },
        ...(text === undefined ? { sticker: { file_id: 'x' } } : { text }),
        ...(entities.length > 0 ? { entities } : {}),
      },
    };
  }

  /** The envelope the webhook gateway would write to stream TELEGRAM for this update. */
  envelope(bot: EmulatedBot, update: Record<string, unknown>, role: BotRole = bot.id === this.mainBot.id ? BotRole.MAIN : BotRole.CHILD): TelegramUpdate {
    const message = update.message as { chat?: { id?: number }; from?: { id?: number } } | undefined;
    // The person wrote to the bot, so Telegram lets the bot answer in that chat.
    if (message?.chat?.id !== undefined) this.emulator.addChat(bot.id, message.chat as Chat);
    return create(TelegramUpdateSchema, {
      rawUpdate: new TextEncoder().encode(JSON.stringify(update)),
      botId: BigInt(bot.id),
      updateId: BigInt(update.update_id as number),
      receivedAt: timestampNow(),
      chatId: BigInt(message?.chat?.id ?? 0),
      userId: BigInt(message?.from?.id ?? 0),
      kind: 'message',
      botRole: role,
    });
  }

  /** Sends a person's text to a bot and processes it, as the consumer would. */
  async say(bot: EmulatedBot, from: TelegramPerson, text: string | undefined): Promise<TelegramUpdate> {
    const envelope = this.envelope(bot, this.textUpdate(from, text));
    await this.process(envelope, {});
    return envelope;
  }

  async close(): Promise<void> {
    await this.botDb.$disconnect();
    await this.userDb.$disconnect();
    this.clients.close();
    await this.events.close();
    await this.emulator.stop();
    await this.database.drop();
  }
}

/**
 * Every row of every table in the service schemas as text: each row as JSON (bytea shown in hex)
 * and each bytea value's raw bytes as Latin-1, so a secret stored in clear shows up either way.
 */
export async function dumpServiceSchemas(database: TestDatabase): Promise<string> {
  const tables = await database.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema IN ('user_service', 'bot_service') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
  );
  const parts: string[] = [];
  for (const { schema, name } of tables.rows) {
    const rows = await database.query(`SELECT * FROM "${schema}"."${name}"`);
    parts.push(`${schema}.${name}`);
    for (const row of rows.rows) {
      parts.push(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
      for (const value of Object.values(row)) {
        if (Buffer.isBuffer(value)) parts.push(value.toString('latin1'), value.toString('hex'));
      }
    }
  }
  return parts.join('\n');
}
