/**
 * Decided 7 on the real PostgreSQL: two contexts in one database each own one schema. Their
 * Prisma clients have no models of the other's tables, and run under a role granted only its own
 * schema (how the services are meant to be deployed) they cannot reach the other's tables even
 * with raw SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { BOT_MIGRATIONS_DIR, openBotDatabase, type BotDatabase } from '@nova/bot-service/domain';
import { GetUserRequestSchema, UpsertUserRequestSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import { USER_MIGRATIONS_DIR, createUserHandlers, openUserDatabase, type UserDatabase } from '@nova/user-service/domain';
import type { EventPublisher } from '@nova/domain';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';

const tag = randomBytes(3).toString('hex');
const roles = { user_service: `nova_user_${tag}`, bot_service: `nova_bot_${tag}` } as const;
const password = randomBytes(12).toString('hex');
let database: TestDatabase;
let domainBus: DomainBus;
let publisher: EventPublisher;
let userDb: UserDatabase;
let botDb: BotDatabase;

/** The database URL as a service's own login role. */
function urlAs(role: string): string {
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** What a service's runtime role gets: data in its own schema, nothing elsewhere. */
async function grantOwnSchema(schema: keyof typeof roles): Promise<void> {
  const role = roles[schema];
  await database.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await database.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
  await database.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
  await database.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
}

beforeAll(async () => {
  database = await createTestDatabase('nova_ownership');
  domainBus = await DomainBus.start('schema-ownership-test');
  publisher = domainBus.publisher;
  await migrate({ connectionString: database.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
  await migrate({ connectionString: database.url, schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR });
  await grantOwnSchema('user_service');
  await grantOwnSchema('bot_service');
  userDb = openUserDatabase({ connectionString: urlAs(roles.user_service) });
  botDb = openBotDatabase({ connectionString: urlAs(roles.bot_service) });
});

afterAll(async () => {
  await userDb.$disconnect();
  await botDb.$disconnect();
  await domainBus.close();
  await database.drop();
  for (const role of Object.values(roles)) await dropRole(role);
});

async function dropRole(role: string): Promise<void> {
  const { component } = await import('@nova/testbed');
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: component('postgres').url });
  await admin.connect();
  try {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await admin.end();
  }
}

/** The SQLSTATE of a failed raw query (Prisma wraps the driver's error). */
async function sqlStateOf(query: Promise<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    const text = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error);
    const match = /\b(42501|42P01)\b/.exec(text);
    return match?.[1] ?? `other: ${text.slice(0, 300)}`;
  }
  return 'succeeded';
}

describe('schema ownership', () => {
  it('each client has only its own context\'s models', () => {
    const delegates = (client: object): string[] =>
      ['user', 'bot', 'botAudience', 'conversation', 'outgoingReply', 'processedEffect', 'outboxEvent'].filter(
        (name) => (client as Record<string, unknown>)[name] !== undefined,
      );
    expect(delegates(userDb)).toEqual(['user', 'processedEffect', 'outboxEvent']);
    expect(delegates(botDb)).toEqual(['bot', 'botAudience', 'conversation', 'outgoingReply', 'processedEffect', 'outboxEvent']);
  });

  it('each context works in its own schema under its own role', async () => {
    const users = createUserHandlers({ db: userDb, publisher });
    await users.upsert(create(UpsertUserRequestSchema, { telegramId: 42n, firstName: 'Анна', botId: 7n, effectKey: 'own:1' }), {});
    expect((await users.get(create(GetUserRequestSchema, { telegramId: 42n }), {})).user?.firstName).toBe('Анна');
    await botDb.conversation.create({ data: { chatId: 42n, step: 'IDLE', updatedAt: new Date() } });
    expect(await botDb.conversation.count()).toBe(1);
  });

  it('neither role can read or write the other schema, even with raw SQL', async () => {
    expect(await sqlStateOf(userDb.$queryRawUnsafe('SELECT count(*) FROM bot_service.user_bots'))).toBe('42501');
    expect(await sqlStateOf(userDb.$executeRawUnsafe('DELETE FROM bot_service.main_bot_conversations'))).toBe('42501');
    expect(await sqlStateOf(botDb.$queryRawUnsafe('SELECT count(*) FROM user_service.users'))).toBe('42501');
    // Unqualified names do not resolve into another schema either.
    expect(await sqlStateOf(botDb.$queryRawUnsafe('SELECT count(*) FROM users'))).toBe('42P01');
    // The catalog does not even list the other schema's tables to them.
    const visible = await botDb.$queryRawUnsafe<{ name: string }[]>(
      "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('user_service', 'bot_service') ORDER BY 1",
    );
    expect(visible.map((row) => row.name).every((name) => name.startsWith('bot_service.'))).toBe(true);
    expect(visible.length).toBeGreaterThan(0);
    expect(await botDb.conversation.count()).toBe(1);
  });
});
