/**
 * The whole plan's seeded subscriptions (packages/demo/src/seed-subscriptions.ts) on the test bed's
 * real PostgreSQL, through the payment context's own migrations and code: each stored as a paid
 * purchase is (a paid invoice, its subscription from the payment on, its event published), listed
 * by the context's own svc.payment.expiring in each reminder window exactly from the moment the
 * demo counts that reminder due, and nothing left in the outbox for the fleet to announce.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ListExpiringRequestSchema } from '@nova/contracts';
import { REMINDER_WINDOWS } from '@nova/notification-service/domain';
import { createPaymentHandlers, openPaymentDatabase, type PaymentDatabase } from '@nova/payment-service/domain';
import { owedReminders, planSeeds } from '../../packages/demo/src/reminders.js';
import { seedSubscriptions } from '../../packages/demo/src/seed-subscriptions.js';
import { createTestDatabase, type TestDatabase } from '../domain/support/database.js';

const DAY = 86_400_000;
const ctx = {};

let database: TestDatabase;
let db: PaymentDatabase;

beforeAll(async () => {
  database = await createTestDatabase('demo_seeds');
  db = openPaymentDatabase({ connectionString: database.url, maxConnections: 2 });
});

afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('the whole plan\'s seeded subscriptions', () => {
  it('are stored as paid purchases, listed as ending in each reminder window from the moment the demo counts that reminder due, with no event left to announce', async () => {
    const seededAt = Date.now();
    const seeds = planSeeds([61001, 61002, 61003], seededAt, 10 * 60_000);
    const ids = await seedSubscriptions(database.url, seeds);
    expect(ids).toHaveLength(3);

    const purchases = await database.query<{ id: string; telegram_id: string; plan_id: string; status: string; starts_at: Date; ends_at: Date; invoice_status: string; provider: string; paid_at: Date }>(
      `SELECT s.id, s.telegram_id, s.plan_id, s.status, s.starts_at, s.ends_at, i.status AS invoice_status, i.provider, i.paid_at
         FROM payment_service.purchases s JOIN payment_service.payments i ON i.id = s.invoice_id ORDER BY s.telegram_id`,
    );
    expect(purchases.rows.map((row) => `${row.telegram_id} ${row.plan_id} ${row.provider} ${row.status} invoice ${row.invoice_status}`)).toEqual([
      '61001 bots-30d cryptobot active invoice paid', '61002 posting-30d platega active invoice paid', '61003 stories-30d cryptobot active invoice paid',
    ]);
    for (const [index, row] of purchases.rows.entries()) {
      expect(row.ends_at.getTime()).toBe(seeds[index]?.endsAt.getTime());
      // Paid a 30-day period before it ends, and started at the payment: about four weeks before the run.
      expect(row.starts_at.getTime()).toBe(row.ends_at.getTime() - 30 * DAY);
      expect(row.paid_at.getTime()).toBe(row.starts_at.getTime());
    }
    const outbox = await database.query<{ events: string; pending: string }>('SELECT count(*) AS events, count(*) FILTER (WHERE published_at IS NULL) AS pending FROM payment_service.outbox_events');
    expect(outbox.rows[0]).toEqual({ events: '3', pending: '0' });

    // What the scheduler asks at a moment t for a window: the subscriptions ending in [t + from, t + to).
    const handlers = createPaymentHandlers({ db, publisher: { publish: () => Promise.resolve() }, providers: {} });
    const listedAt = async (at: number, window: string): Promise<bigint[]> => {
      const { fromMs, toMs } = REMINDER_WINDOWS.find((each) => each.name === window) ?? { fromMs: 0, toMs: 0 };
      const answer = await handlers.expiring(create(ListExpiringRequestSchema, { endsFrom: timestampFromDate(new Date(at + fromMs)), endsBefore: timestampFromDate(new Date(at + toMs)), limit: 0 }), ctx);
      return answer.subscriptions.map((subscription) => subscription.telegramId);
    };
    const owed = owedReminders(seeds, seededAt).filter((reminder) => reminder.dueAt < seededAt + DAY);
    expect(owed.map((reminder) => `${String(reminder.telegramId)} ${reminder.window}`)).toEqual(['61001 3d', '61002 3d', '61002 1d', '61003 3d']);
    for (const reminder of owed) {
      expect(await listedAt(reminder.dueAt + 1_000, reminder.window)).toContain(BigInt(reminder.telegramId));
      if (reminder.dueAt > seededAt) expect(await listedAt(reminder.dueAt - 1_000, reminder.window)).not.toContain(BigInt(reminder.telegramId));
    }
  });
});
