/**
 * Every word the payments context words for a person comes from its catalogue (catalogue/en.ts,
 * catalogue/ru.ts, checked against catalogue/spec.ts when this module loads): the plan's name the
 * provider shows on its payment page, in the buyer's language. The payment service and the
 * monolith run this same module.
 */
import { Catalogue, parseLocale } from '@nova/i18n';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { PAYMENT_SPEC } from './catalogue/spec.js';
import { PLAN_KINDS, type PlanKindName } from './names.js';

export const PAYMENT_CATALOGUE = new Catalogue('payment', PAYMENT_SPEC, { en: EN, ru: RU });

/**
 * The invoice's description: the plan's name in the buyer's `language` ("en", "ru"); the stored
 * title when the language is not one Nova speaks (an older caller sends none) or the plan's kind
 * or period is not one the catalogue words.
 */
export function planName(plan: { readonly kind: string; readonly periodDays: number; readonly title: string }, language: string): string {
  const locale = parseLocale(language);
  const kind = PLAN_KINDS.find((name): name is PlanKindName => name === plan.kind);
  if (locale === undefined || kind === undefined || plan.periodDays <= 0) return plan.title;
  return PAYMENT_CATALOGUE.format(locale, 'plan-name', { kind, days: plan.periodDays });
}
