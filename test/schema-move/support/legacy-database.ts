/**
 * A throwaway database shaped like the legacy Nova Bot before stage 7: the plan's tables in
 * `public`, owned by a migration login, with serial and identity ids, defaults, unique keys and an
 * outbox table; a legacy login and one login per context, as production will have them. Roles are
 * cluster-wide on the test bed's PostgreSQL, so each name carries a random suffix and `drop()`
 * removes them.
 */
import { component, createDatabase } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SAMPLE_LEGACY_TABLES_SQL, STAGE_7_CONTEXTS, type MovePlan } from '@nova/schema-move';


export interface Login {
  readonly role: string;
  /** postgresql:// URL as this login (carries its password). */
  readonly url: string;
  readonly password: string;
}

export interface LegacyDatabase {
  readonly name: string;
  /** Superuser URL of the database (inspection, tampering). */
  readonly adminUrl: string;
  /** The migration login: owns the tables, runs the moves. */
  readonly migrator: Login;
  readonly legacy: Login;
  /** One login per context schema. */
  readonly contexts: Readonly<Record<string, Login>>;
  /** The stage-7 plan with these logins, the outbox table in the payments context. */
  readonly plan: MovePlan;
  admin<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A connected client as the migration login (the caller ends it). */
  migratorClient(): Promise<pg.Client>;
  drop(): Promise<void>;
}

function login(server: string, database: string, role: string): Login {
  const password = randomBytes(12).toString('hex');
  const url = new URL(server);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return { role, url: url.toString(), password };
}

/**
 * Drops a test's database (its connections closed by force) and then its roles, which are
 * cluster-wide and would otherwise outlive it.
 */
export async function dropDatabaseAndRoles(database: string, roles: readonly string[]): Promise<void> {
  const dropper = new pg.Client({ connectionString: component('postgres').url });
  await dropper.connect();
  try {
    await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of roles) await dropper.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await dropper.end();
  }
}

export async function createLegacyDatabase(prefix: string): Promise<LegacyDatabase> {
  const server = component('postgres').url;
  const suffix = randomBytes(3).toString('hex');
  const name = `${prefix}_${suffix}`;
  const adminUrl = await createDatabase(server, name);
  const migrator = login(server, name, `migrator_${suffix}`);
  const legacy = login(server, name, `legacy_${suffix}`);
  const contexts = Object.fromEntries(STAGE_7_CONTEXTS.map((c) => [c.schema, login(server, name, `${c.schema}_${suffix}`)]));
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (const l of [migrator, legacy, ...Object.values(contexts)]) await admin.query(`CREATE ROLE ${l.role} LOGIN PASSWORD '${l.password}'`);
  // The migration login may create schemas in this database and owns public's tables.
  await admin.query(`GRANT CREATE ON DATABASE ${name} TO ${migrator.role}`);
  await admin.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${migrator.role}`);
  const migratorClient = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: migrator.url });
    await client.connect();
    return client;
  };
  const setup = await migratorClient();
  try {
    await setup.query(SAMPLE_LEGACY_TABLES_SQL);
  } finally {
    await setup.end();
  }
  const plan: MovePlan = {
    legacyRole: legacy.role,
    contexts: STAGE_7_CONTEXTS.map((c) => ({
      schema: c.schema,
      tables: c.schema === 'payment_service' ? [...c.tables, 'payment_outbox'] : c.tables,
      role: contexts[c.schema]?.role ?? c.schema,
    })),
  };
  return {
    name,
    adminUrl,
    migrator,
    legacy,
    contexts,
    plan,
    admin: (sql, values) => admin.query(sql, values),
    migratorClient,
    async drop() {
      await admin.end();
      await dropDatabaseAndRoles(name, [migrator, legacy, ...Object.values(contexts)].map((l) => l.role));
    },
  };
}
