import { systemClock, type Clock, type ContextHandlers, type EventPublisher } from '@nova/domain';
import { grantSubscriptionHandler, revokeSubscriptionHandler } from './admin-grants.js';
import { createInvoiceHandler } from './create-invoice.js';
import type { PaymentDatabase } from './database.js';
import { expireDueHandler } from './expire-due.js';
import { listExpiringHandler } from './expiring.js';
import type { PaymentProviders } from './providers.js';
import { entitlementHandler, listPaymentsHandler, listPlansHandler } from './queries.js';
import { paymentStatsHandler } from './stats.js';

export interface PaymentContextDeps {
  readonly db: PaymentDatabase;
  /** Where the context's events go once committed (JetStream, or the monolith's in-process bus). */
  readonly publisher: EventPublisher;
  /** The providers this process may create invoices with. */
  readonly providers: PaymentProviders;
  readonly clock?: Clock;
}

/** The payments context's request handlers, keyed like METHODS.payment: svc.payment.create_invoice → create_invoice. */
export function createPaymentHandlers(deps: PaymentContextDeps): ContextHandlers<'payment'> {
  const clock = deps.clock ?? systemClock;
  return {
    plans: listPlansHandler(deps.db),
    create_invoice: createInvoiceHandler({ db: deps.db, providers: deps.providers, clock }),
    entitlement: entitlementHandler(deps.db, clock),
    list: listPaymentsHandler(deps.db),
    expire_due: expireDueHandler({ db: deps.db, publisher: deps.publisher, clock }),
    expiring: listExpiringHandler(deps.db),
    grant: grantSubscriptionHandler({ db: deps.db, publisher: deps.publisher, clock }),
    revoke: revokeSubscriptionHandler({ db: deps.db, publisher: deps.publisher, clock }),
    stats: paymentStatsHandler(deps.db, clock),
  };
}
