/**
 * Everything one test file runs the services against, on real parts: a nats-server of its own
 * (the bus declares the fixed streams NOVA/TELEGRAM/DLQ, so files must not share one), a database
 * of its own on the test bed's PostgreSQL (both schemas, as in production's one cluster), the
 * Telegram emulator with the main bot registered, and the secrets of the run.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TelegramEmulator, type EmulatedBot, type TelegramEmulatorOptions } from '@nova/telegram-emulator';
import { component, freePort, PostgresServer, stackChildren, startNats, Stack, type NatsInfo } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../domain/support/database.js';
import { startService, type Deployable, type RunningService } from './services.js';

export interface WorldSecrets {
  readonly mainBotToken: string;
  readonly encryptionKey: string;
  readonly webhookSecret: string;
  readonly databasePassword: string;
}

export interface Fleet {
  readonly gateway: RunningService;
  readonly users: RunningService;
  readonly bots: RunningService;
  readonly publicUrl: string;
}

export interface WorldOptions {
  readonly emulator?: TelegramEmulatorOptions;
  /** Send spans to the test bed's Jaeger, under service names ending in this suffix. */
  readonly tracingSuffix?: string;
  /**
   * A PostgreSQL of this world's own (`World.postgres`) instead of the test bed's shared one, for a
   * test that stops and restarts it: the shared server serves every other test file running meanwhile.
   */
  readonly ownPostgres?: boolean;
}

export type Env = Readonly<Record<string, string>>;

export class World {
  private count = new Map<string, number>();

  private constructor(
    readonly stack: Stack,
    readonly nats: NatsInfo,
    /** The nats-server's process id (to freeze it: SIGSTOP, SIGCONT). */
    readonly natsPid: number,
    private readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly database: TestDatabase,
    /** The services' NOVA_DATABASE_URL: with a password (trust auth ignores it), so log scans look for it. */
    readonly databaseUrl: string,
    readonly emulator: TelegramEmulator,
    readonly mainBot: EmulatedBot,
    readonly secrets: WorldSecrets,
    private readonly options: WorldOptions,
    /** This world's own PostgreSQL (WorldOptions.ownPostgres), which the database is on. */
    readonly postgres: PostgresServer | undefined,
  ) {}

  static async create(prefix: string, options: WorldOptions = {}): Promise<World> {
    const stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
    const nats = await startNats(stack);
    // The stack's first child: its pid file lists processes in start order.
    const natsPid = stackChildren(stack.dir)[0]?.pid ?? 0;
    const nc = await connect({ servers: nats.url, name: `${prefix}-test` });
    const postgres = options.ownPostgres === true ? await PostgresServer.start(stack) : undefined;
    const database = await createTestDatabase(prefix, postgres?.info.url);
    const databasePassword = `pw-${randomBytes(12).toString('hex')}`;
    const url = new URL(database.url);
    url.password = databasePassword;
    const emulator = await TelegramEmulator.start(options.emulator);
    const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
    const secrets: WorldSecrets = {
      mainBotToken: mainBot.token,
      encryptionKey: randomBytes(32).toString('base64'),
      webhookSecret: randomBytes(24).toString('base64url'),
      databasePassword,
    };
    return new World(stack, nats, natsPid, nc, await jetstreamManager(nc), database, url.toString(), emulator, mainBot, secrets, options, postgres);
  }

  /** The environment every deployable of this world shares. */
  baseEnv(publicUrl: string): Env {
    const env: Record<string, string> = {
      NOVA_NATS_URL: this.nats.url,
      NOVA_DATABASE_URL: this.databaseUrl,
      NOVA_MAIN_BOT_TOKEN: this.secrets.mainBotToken,
      NOVA_TOKEN_ENCRYPTION_KEY: this.secrets.encryptionKey,
      NOVA_WEBHOOK_SECRET: this.secrets.webhookSecret,
      NOVA_TELEGRAM_API_ROOT: this.emulator.apiRoot,
      NOVA_PUBLIC_URL: publicUrl,
    };
    if (this.options.tracingSuffix !== undefined) env.OTEL_EXPORTER_OTLP_ENDPOINT = component('jaeger').otlpHttpUrl;
    return env;
  }

  /**
   * A publisher service's environment for a test that kills one: a row a killed process claimed is
   * free again `lease` after the claim (the default minute would outlast the test).
   */
  publisherEnv(lease = '5s'): Env {
    return {
      NOVA_NATS_URL: this.nats.url,
      NOVA_DATABASE_URL: this.databaseUrl,
      NOVA_TOKEN_ENCRYPTION_KEY: this.secrets.encryptionKey,
      NOVA_MAIN_BOT_TOKEN: this.secrets.mainBotToken,
      NOVA_TELEGRAM_API_ROOT: this.emulator.apiRoot,
      NOVA_PUBLISH_LEASE: lease,
    };
  }

  /** Starts one deployable; a second one of the same kind gets its own log file (`bot-service-2`). */
  async start(deployable: Deployable, env: Env, address?: string): Promise<RunningService> {
    const n = (this.count.get(deployable) ?? 0) + 1;
    this.count.set(deployable, n);
    const tracing: Record<string, string> = this.options.tracingSuffix === undefined ? {} : { OTEL_SERVICE_NAME: `${deployable}-${this.options.tracingSuffix}` };
    return startService(this.stack, deployable, { ...tracing, ...env }, { name: n === 1 ? deployable : `${deployable}-${String(n)}`, ...(address === undefined ? {} : { address }) });
  }

  /** The gateway, the user service and the bot service; Telegram's webhooks point at the gateway. */
  async startFleet(extra: { readonly bots?: Env; readonly gateway?: Env; readonly users?: Env } = {}): Promise<Fleet> {
    const gatewayAddress = `127.0.0.1:${String(await freePort())}`;
    const publicUrl = `http://${gatewayAddress}`;
    const env = this.baseEnv(publicUrl);
    const [gateway, users] = await Promise.all([
      this.start('webhook-gateway', { NOVA_NATS_URL: env.NOVA_NATS_URL ?? '', NOVA_WEBHOOK_SECRET: this.secrets.webhookSecret, NOVA_MAIN_BOT_ID: String(this.mainBot.id), ...tracingEnv(env), ...extra.gateway }, gatewayAddress),
      this.start('user-service', { NOVA_NATS_URL: env.NOVA_NATS_URL ?? '', NOVA_DATABASE_URL: this.databaseUrl, ...tracingEnv(env), ...extra.users }),
    ]);
    const bots = await this.start('bot-service', { ...env, ...extra.bots });
    return { gateway, users, bots, publicUrl };
  }

  /** The monolith in one of its modes; Telegram's webhooks point at it. */
  async startMonolith(mode: 'inline' | 'jetstream', extra: Env = {}): Promise<{ monolith: RunningService; publicUrl: string }> {
    const address = `127.0.0.1:${String(await freePort())}`;
    const publicUrl = `http://${address}`;
    const env: Record<string, string> = { ...this.baseEnv(publicUrl), NOVA_MONOLITH_UPDATES: mode, ...extra };
    if (mode === 'inline') delete env.NOVA_NATS_URL;
    return { monolith: await this.start('monolith', env, address), publicUrl };
  }

  /** Messages a stream holds now. */
  async streamMessages(stream: 'TELEGRAM' | 'NOVA' | 'DLQ'): Promise<number> {
    try {
      return (await this.jsm.streams.info(stream)).state.messages;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    try {
      process.kill(this.natsPid, 'SIGCONT');
    } catch {
      // not running
    }
    await this.stack.stop();
    await this.nc.close();
    await this.emulator.stop();
    // A database on this world's own server went with the stack (its server stopped, its folder removed).
    if (this.postgres === undefined) await this.database.drop();
  }
}

function tracingEnv(env: Env): Env {
  return env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT };
}
