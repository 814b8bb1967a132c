/**
 * What the payments context words for a person: a plan's name on the provider's payment page (the
 * invoice's description), by id, with its arguments. en.ts and ru.ts must define exactly these:
 * checked when the catalogue is made (@nova/i18n's checkCatalogue) and by catalogue.test.ts.
 */
export const PAYMENT_SPEC = {
  /** kind: bots, stories, posting; days: the plan's period. */
  'plan-name': ['kind', 'days'],
} as const;

export type PaymentSpec = typeof PAYMENT_SPEC;
