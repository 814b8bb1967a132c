import { Catalogue, formatMoney, formatUtcDate, LOCALES, type Locale } from '@nova/i18n';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { ADMIN_SPEC } from './catalogue/spec.js';

/**
 * Every word of the panel's pages comes from its catalogue (catalogue/en.ts, catalogue/ru.ts),
 * checked against catalogue/spec.ts when this module loads. Pages escape what a message returns
 * like any other text (html.ts), so a message holds no markup and an argument cannot become any.
 */
export const ADMIN_CATALOGUE = new Catalogue('admin-panel', ADMIN_SPEC, { en: EN, ru: RU });

/** The catalogue's formatter bound to one locale: t('id', { … }). */
export type Say = ReturnType<typeof ADMIN_CATALOGUE.in>;

/** A locale's formatter and its Intl formats, as a page needs them. */
export interface Words {
  readonly locale: Locale;
  readonly t: Say;
  /** A moment as the locale writes it, in UTC (the panel's times are UTC), "—" when there is none. */
  date(date: Date | undefined): string;
  /** A count with the locale's digit grouping (1,234 / 1 234). Never for ids, which are not quantities. */
  count(value: bigint | number): string;
  /** An amount from minor units, as the locale writes money (RUB 498.00 / 498,00 ₽). */
  money(minorUnits: bigint, currency: string): string;
  /** A decimal with one fraction digit (29.5 / 29,5). */
  decimal(value: number): string;
  /** A sampling interval in words (10 minutes / 10 минут). */
  interval(ms: number): string;
}

// Node 24 has Intl.DurationFormat (ES2025); the repository's TypeScript lib is ES2024, which does not declare it.
type DurationParts = { hours?: number; minutes?: number; seconds?: number };
const DurationFormat = (Intl as unknown as { DurationFormat: new (locale: string, options: { style: 'long' }) => { format(parts: DurationParts): string } }).DurationFormat;

function intervalParts(ms: number): DurationParts {
  if (ms % 3_600_000 === 0) return { hours: ms / 3_600_000 };
  if (ms % 60_000 === 0) return { minutes: ms / 60_000 };
  return { seconds: Math.round(ms / 1000) };
}

function makeWords(locale: Locale): Words {
  const t = ADMIN_CATALOGUE.in(locale);
  const counts = new Intl.NumberFormat(locale);
  const decimals = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const durations = new DurationFormat(locale, { style: 'long' });
  return {
    locale,
    t,
    date: (date) => (date === undefined || Number.isNaN(date.getTime()) ? '—' : t('date-utc', { date: formatUtcDate(locale, date, true) })),
    count: (value) => counts.format(value),
    money: (minorUnits, currency) => formatMoney(locale, minorUnits, currency),
    decimal: (value) => decimals.format(value),
    interval: (ms) => durations.format(intervalParts(ms)),
  };
}

const WORDS = new Map(LOCALES.map((locale) => [locale, makeWords(locale)] as const));

/** The words of a locale, made once when the module loads. */
export function words(locale: Locale): Words {
  return WORDS.get(locale) ?? makeWords(locale);
}
