/**
 * What a service's Prisma client sends (raw SQL of the same shapes, through `pg`, against the test
 * bed's real PostgreSQL) works the same through a context's view before the move and through its
 * table after it, as the context's own login; and the legacy login does the same through `public`
 * (the table before, the compatibility view after). Shapes: INSERT with column defaults, serial,
 * identity (BY DEFAULT and ALWAYS) and uuid ids, `INSERT ... ON CONFLICT ... DO UPDATE`, `RETURNING`,
 * UPDATE/DELETE, and an outbox drained with `FOR UPDATE SKIP LOCKED`. Prisma itself is not run here:
 * its client would need a generated schema per arrangement; the SQL it emits for these calls
 * (DEVELOPERS.md, "Prisma 7 in the services": upsert is a native ON CONFLICT DO UPDATE, create is
 * INSERT ... RETURNING) is what this sends.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fingerprint, moveAll, prepare, reverseAll, sameFingerprint, status, type Queryable } from '@nova/schema-move';
import pg from 'pg';
import { createLegacyDatabase, type LegacyDatabase, type Login } from './support/legacy-database.js';

let db: LegacyDatabase;

beforeAll(async () => {
  db = await createLegacyDatabase('compat');
  const migrator = await db.migratorClient();
  try {
    await prepare(migrator, db.plan);
  } finally {
    await migrator.end();
  }
});

afterAll(async () => {
  await db.drop();
});

async function as<T>(login: Login, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: login.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Replaces ids (numbers that differ per run) with the order they first appeared in, so runs compare. */
class Transcript {
  readonly lines: unknown[] = [];
  private readonly ids = new Map<string, Map<string, string>>();
  /** Per table: `#0` for its first id seen in this run, `#1` for the next, ... */
  id(table: string, value: unknown): string {
    const ids = this.ids.get(table) ?? new Map<string, string>();
    this.ids.set(table, ids);
    const key = String(value);
    if (!ids.has(key)) ids.set(key, `${table}#${String(ids.size)}`);
    return ids.get(key) ?? '';
  }
  add(what: string, value: unknown): void {
    this.lines.push([what, value]);
  }
}

/** Every shape, on the tables as `schema` names them; `base` keeps each run's natural keys apart. */
async function scenario(client: pg.Client, schema: string, base: number): Promise<unknown[]> {
  const t = new Transcript();
  const q = async (sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> => (await client.query<Record<string, unknown>>(sql.replaceAll('S.', `${schema}.`), values)).rows;
  // users (user_service / public): bigserial id, defaults, upsert on a unique key.
  const [u1] = await q('INSERT INTO S.users (telegram_id, name) VALUES ($1, $2) RETURNING id, language, visits, created_at IS NOT NULL AS stamped', [base, 'Anna']);
  t.add('user created', { ...u1, id: t.id('users', u1?.id) });
  const [u2] = await q(
    'INSERT INTO S.users AS u (telegram_id, name) VALUES ($1, $2) ON CONFLICT (telegram_id) DO UPDATE SET visits = u.visits + 1, name = EXCLUDED.name RETURNING id, name, visits',
    [base, 'Anna K'],
  );
  t.add('user upserted', { ...u2, id: t.id('users', u2?.id) });
  // user_bots: identity BY DEFAULT, boolean default.
  const [b] = await q('INSERT INTO S.user_bots (owner_id, username) VALUES ($1, $2) RETURNING id, active', [base, `bot_${String(base)}`]);
  t.add('bot created', { ...b, id: t.id('user_bots', b?.id) });
  t.add('duplicate bot', await q('INSERT INTO S.user_bots (owner_id, username) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id', [base, `bot_${String(base)}`]));
  // posts: serial id, defaults, optimistic update, a child table with a composite key and an FK.
  const [p] = await q('INSERT INTO S.posts (owner_id, body) VALUES ($1, $2) RETURNING id, state, version', [base, 'hello']);
  t.add('post created', { ...p, id: t.id('posts', p?.id) });
  t.add('post published', await q('UPDATE S.posts SET state = $2, version = version + 1 WHERE id = $1 AND version = 0 RETURNING state, version', [p?.id, 'published']));
  t.add('stale update', await q('UPDATE S.posts SET state = $2 WHERE id = $1 AND version = 0 RETURNING id', [p?.id, 'draft']));
  await q('INSERT INTO S.published_posts (post_id, chat_id, message_id) VALUES ($1, 1, 10), ($1, 2, 20)', [p?.id]);
  t.add('published rows', (await q('SELECT chat_id, message_id FROM S.published_posts WHERE post_id = $1 ORDER BY chat_id', [p?.id])).map((r) => ({ ...r })));
  // stories: uuid default.
  const [s] = await q('INSERT INTO S.stories (owner_id, body) VALUES ($1, $2) RETURNING id', [base, 'story']);
  t.add('story id is a uuid', /^[0-9a-f-]{36}$/.test(String(s?.id)));
  t.add('story deleted', (await q('DELETE FROM S.stories WHERE id = $1 RETURNING body', [s?.id])).length);
  // payments: numeric money, an upsert that changes status, identity ALWAYS on purchases, outbox in one transaction.
  await client.query('BEGIN');
  const [pay] = await q('INSERT INTO S.payments (invoice_id, amount) VALUES ($1, $2) RETURNING id, status, amount', [`inv-${String(base)}`, '1990.50']);
  await q('INSERT INTO S.payment_outbox (topic, payload) VALUES ($1, $2)', ['payment.created', { invoice: `inv-${String(base)}` }]);
  await client.query('COMMIT');
  t.add('payment created', { ...pay, id: t.id('payments', pay?.id) });
  const [paid] = await q('INSERT INTO S.payments (invoice_id, amount, status) VALUES ($1, $2, $3) ON CONFLICT (invoice_id) DO UPDATE SET status = EXCLUDED.status RETURNING id, status', [`inv-${String(base)}`, '1990.50', 'paid']);
  t.add('payment upserted', { ...paid, id: t.id('payments', paid?.id) });
  const [purchase] = await q('INSERT INTO S.purchases (payment_id, plan) VALUES ($1, $2) RETURNING id, plan', [pay?.id, 'bots_30d']);
  t.add('purchase created', { ...purchase, id: t.id('purchases', purchase?.id) });
  // Outbox drain as the services do it: claim with SKIP LOCKED, mark published, delete.
  await client.query('BEGIN');
  const claimed = await q('SELECT id, topic, payload FROM S.payment_outbox WHERE published_at IS NULL ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED');
  await q('UPDATE S.payment_outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [claimed.map((r) => r.id)]);
  await client.query('COMMIT');
  t.add('outbox claimed', claimed.map((r) => ({ topic: r.topic, payload: JSON.stringify(r.payload).replace(String(base), 'BASE') })));
  t.add('outbox deleted', (await q('DELETE FROM S.payment_outbox WHERE published_at IS NOT NULL RETURNING id')).length);
  return t.lines;
}

describe('the same SQL through the views and through the tables', () => {
  const runs: Record<string, unknown[]> = {};

  it('before the move: each context through its views, legacy through the tables', async () => {
    const migrator = await db.migratorClient();
    try {
      expect((await status(migrator, db.plan)).map((s) => s.state)).toEqual(['before', 'before', 'before', 'before']);
    } finally {
      await migrator.end();
    }
    runs.contextBefore = await scenarioPerContext(1_000);
    runs.legacyBefore = await as(db.legacy, (c) => scenario(c, 'public', 2_000));
    // The table's defaults apply through a view (PostgreSQL rewrites the INSERT onto the table): no view default needed.
    expect(runs.contextBefore).toContainEqual(['user created', { id: 'users#0', language: 'en', visits: 0, stamped: true }]);
    expect(runs.contextBefore).toContainEqual(['payment created', { id: 'payments#0', status: 'pending', amount: '1990.50' }]);
  });

  it('after the move: each context through its tables, legacy through the compatibility views', async () => {
    const migrator = await db.migratorClient();
    try {
      await moveAll(migrator, db.plan);
      expect((await status(migrator, db.plan)).map((s) => s.state)).toEqual(['moved', 'moved', 'moved', 'moved']);
    } finally {
      await migrator.end();
    }
    runs.contextAfter = await scenarioPerContext(3_000);
    runs.legacyAfter = await as(db.legacy, (c) => scenario(c, 'public', 4_000));
    expect(runs.contextAfter).toEqual(runs.contextBefore);
    expect(runs.legacyAfter).toEqual(runs.legacyBefore);
    // And the same outcome for either login.
    expect(runs.legacyBefore).toEqual(runs.contextBefore);
  });

  it('after a reverse: the same again', async () => {
    const migrator = await db.migratorClient();
    try {
      await reverseAll(migrator, db.plan);
    } finally {
      await migrator.end();
    }
    expect(await scenarioPerContext(5_000)).toEqual(runs.contextBefore);
    expect(await as(db.legacy, (c) => scenario(c, 'public', 6_000))).toEqual(runs.legacyBefore);
    // Every id came from the one sequence of each table, whichever name inserted it: no id twice.
    const { rows } = await db.admin<{ n: string; d: string }>('SELECT count(*)::text AS n, count(DISTINCT id)::text AS d FROM public.users');
    expect(rows[0]?.n).toBe('6');
    expect(rows[0]?.d).toBe('6');
  });

  it('fingerprints a table with a column that has no hash function (json) through its rows\' text, the same through a view', async () => {
    const inspector = { query: (sql: string, values?: unknown[]) => db.admin(sql, values) } as unknown as Queryable;
    await db.admin('CREATE TABLE public.fp_json (id integer PRIMARY KEY, doc json NOT NULL)');
    await db.admin(`INSERT INTO public.fp_json SELECT g, json_build_object('n', g) FROM generate_series(1, 50) g`);
    await db.admin('CREATE VIEW public.fp_json_view AS SELECT * FROM public.fp_json');
    const table = await fingerprint(inspector, 'public', 'fp_json');
    expect(table.rows).toBe(50);
    expect(sameFingerprint(table, await fingerprint(inspector, 'public', 'fp_json_view'))).toBe(true);
    await db.admin(`UPDATE public.fp_json SET doc = '{"n": -1}' WHERE id = 7`);
    expect(sameFingerprint(table, await fingerprint(inspector, 'public', 'fp_json'))).toBe(false);
    await db.admin('DROP VIEW public.fp_json_view; DROP TABLE public.fp_json');
  });

  it('a context login reaches its own schema only', async () => {
    const users = db.contexts.user_service;
    if (!users) throw new Error('no user_service login');
    await as(users, async (c) => {
      await expect(c.query('SELECT 1 FROM bot_service.user_bots')).rejects.toThrow(/permission denied/);
      await expect(c.query('SELECT 1 FROM public.users')).rejects.toThrow(/permission denied/);
    });
    await as(db.legacy, async (c) => {
      await expect(c.query('SELECT 1 FROM user_service.users')).rejects.toThrow(/permission denied/);
    });
  });
});

/**
 * The scenario split by context: each part as the login of the context that owns those tables (the
 * users part as user_service's login on user_service.*, and so on), concatenated.
 */
async function scenarioPerContext(base: number): Promise<unknown[]> {
  // One schema per context: run the whole scenario through a search of schema-qualified names per context.
  const client = await connectAll();
  try {
    return await scenarioRouted(client, base);
  } finally {
    await Promise.all(Object.values(client).map((c) => c.end()));
  }
}

async function connectAll(): Promise<Record<string, pg.Client>> {
  const clients: Record<string, pg.Client> = {};
  for (const [schema, login] of Object.entries(db.contexts)) {
    const client = new pg.Client({ connectionString: login.url });
    await client.connect();
    clients[schema] = client;
  }
  return clients;
}

/** Sends each statement to the client of the context whose table it names, with that schema in place of S. */
async function scenarioRouted(clients: Record<string, pg.Client>, base: number): Promise<unknown[]> {
  const owner = (sql: string): string => {
    const table = /S\.(\w+)/.exec(sql)?.[1] ?? '';
    const context = db.plan.contexts.find((c) => c.tables.includes(table));
    return context?.schema ?? 'payment_service';
  };
  let pinned: string | undefined;
  const router = {
    async query(sql: string, values?: unknown[]) {
      if (sql === 'BEGIN') {
        pinned = 'payment_service';
        return clients.payment_service?.query(sql);
      }
      if (sql === 'COMMIT') {
        const schema = pinned ?? 'payment_service';
        pinned = undefined;
        return clients[schema]?.query(sql);
      }
      const schema = pinned ?? owner(sql);
      return clients[schema]?.query(sql.replaceAll('S.', `${schema}.`), values);
    },
  } as unknown as pg.Client;
  return scenario(router, 'S', base);
}
