/**
 * The whole plan's seeded subscriptions (reminders.ts plans them), stored as the product stores a
 * purchase: through the payment context's own code and tables, before the fleet starts. Each is
 * an invoice recorded as create_invoice records it (pending, the provider's id), then the
 * provider's "paid" report applied by the context's `applyProviderReport` with its clock set to
 * the moment of payment, a plan's period before the subscription ends: the activation writes the
 * `purchases` row (start, end, the invoice) and its `subscription_activated` event, as a callback
 * did then.
 *
 * That event went out when the payment was made (its "Payment received" notice is history): the
 * outbox is flushed here into a publisher that stands for the bus of that time and delivers it
 * nowhere, so no process of the fleet, which starts after, announces a weeks-old payment.
 * Before the fleet, because the payment service's outbox relay (every 5 s) could otherwise publish the event
 * before this flush could mark it.
 */
import { migrate } from '@nova/db';
import { applyProviderReport, flushPaymentOutbox, INVOICE_TTL_SECONDS, openPaymentDatabase, PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA, type PaymentDatabase } from '@nova/payment-service/domain';
import { arrangeFleetSchemaBefore } from '@nova/schema-move';
import { randomUUID } from 'node:crypto';
import type { SeededSubscription } from './reminders.js';

const DAY_MS = 86_400_000;
/** The user took this long to pay after /buy, as the users in the run do. */
const PAID_AFTER_MS = 60_000;

/** The seeding did not leave what a paid purchase leaves (the seed it was at, when it was one). */
export class SeedingError extends Error {
  override readonly name = 'SeedingError';
  constructor(detail: string, readonly seed?: Pick<SeededSubscription, 'telegramId' | 'planId'>) {
    super(`seeding the whole plan's subscriptions${seed === undefined ? '' : ` (${seed.planId} for user ${String(seed.telegramId)})`}: ${detail}`);
  }
}

/** The bus as it was when the seeded payments were made: their events were delivered then, to nobody now. */
const PAST_BUS: Parameters<typeof applyProviderReport>[0]['publisher'] = { publish: () => Promise.resolve() };

/**
 * Migrates the payment context's schema (its start-up migrations, then the fleet's "before"
 * arrangement, as the monolith's start does) and stores every seed as a paid purchase; answers the
 * subscriptions' ids. `databaseUrl` is never logged.
 */
export async function seedSubscriptions(databaseUrl: string, seeds: readonly SeededSubscription[]): Promise<string[]> {
  await migrate({ connectionString: databaseUrl, schema: PAYMENT_SCHEMA, migrationsDir: PAYMENT_MIGRATIONS_DIR });
  await arrangeFleetSchemaBefore(databaseUrl, PAYMENT_SCHEMA);
  const db = openPaymentDatabase({ connectionString: databaseUrl, maxConnections: 2 });
  try {
    const ids: string[] = [];
    for (const seed of seeds) ids.push(await seedOne(db, seed));
    const pending = await db.outboxEvent.count({ where: { publishedAt: null } });
    if (pending !== 0) throw new SeedingError(`${String(pending)} activation events still in the outbox: the fleet would announce them now`);
    return ids;
  } finally {
    await db.$disconnect();
  }
}

async function seedOne(db: PaymentDatabase, seed: SeededSubscription): Promise<string> {
  const plan = await db.plan.findUnique({ where: { id: seed.planId } });
  if (plan === null) throw new SeedingError('no such plan', seed);
  // Paid a period before the end: the activation starts the subscription at the payment.
  const paidAt = new Date(seed.endsAt.getTime() - plan.periodDays * DAY_MS);
  const createdAt = new Date(paidAt.getTime() - PAID_AFTER_MS);
  const invoiceId = randomUUID();
  const providerInvoiceId = `seeded-${invoiceId}`;
  await db.invoice.create({
    data: {
      id: invoiceId, telegramId: BigInt(seed.telegramId), planId: plan.id, provider: seed.provider, providerInvoiceId, amountMinor: plan.priceMinor, currency: plan.currency,
      status: 'pending', createdAt, expiresAt: new Date(createdAt.getTime() + INVOICE_TTL_SECONDS * 1000),
    },
  });
  const result = await applyProviderReport(
    { db, publisher: PAST_BUS, clock: () => paidAt, flushOutbox: () => flushPaymentOutbox(db, PAST_BUS) },
    { provider: seed.provider, providerInvoiceId, invoiceId, outcome: 'paid', amount: { minorUnits: plan.priceMinor, currency: plan.currency } },
  );
  if (result.kind !== 'activated') throw new SeedingError(`the paid report was ${result.kind}, not activated`, seed);
  const stored = await db.subscription.findUnique({ where: { id: result.subscriptionId } });
  if (stored?.endsAt.getTime() !== seed.endsAt.getTime()) throw new SeedingError(`it ends ${stored?.endsAt.toISOString() ?? 'nowhere'}, planned ${seed.endsAt.toISOString()} (another subscription of the kind before it?)`, seed);
  return result.subscriptionId;
}
