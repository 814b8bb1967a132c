/** The languages Nova speaks. English is the fallback for everyone else. */
export type Locale = 'en' | 'ru';

export const LOCALES: readonly Locale[] = ['en', 'ru'];

/**
 * Languages whose speakers read Russian more readily than English (the plan's users are in these
 * countries): Russian, Ukrainian, Belarusian, Kazakh.
 */
const READS_RUSSIAN = new Set(['ru', 'uk', 'be', 'kk']);

/**
 * The locale for Telegram's `from.language_code` (an IETF tag such as "ru", "uk-UA", "en-US"):
 * ru, uk, be, kk → Russian; anything else, or none → English.
 */
export function localeFromTelegram(languageCode: string | undefined): Locale {
  const primary = (languageCode ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return READS_RUSSIAN.has(primary) ? 'ru' : 'en';
}

/** "en" / "ru" as a Locale; undefined for anything else (an empty stored choice, a typo). */
export function parseLocale(text: string | undefined): Locale | undefined {
  return LOCALES.find((locale) => locale === text);
}

/** The person's own choice when they made one, else what Telegram says their app speaks. */
export function chooseLocale(chosen: string | undefined, languageCode: string | undefined): Locale {
  return parseLocale(chosen) ?? localeFromTelegram(languageCode);
}
