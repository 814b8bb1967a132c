/**
 * The person's language (issue 24): /language or the menu's button offers Русский / English;
 * pressing one (or `/language ru`) stores the choice with the users context, and the answer
 * comes in the new language with the menu in it. The choice outlives Telegram's language_code.
 */
import { LOCALES, type Locale } from '@nova/i18n';
import type { MainBotStep, MainBotView } from './decide.js';
import { toMenu } from './decide.js';
import { LANGUAGE_BUTTONS, texts } from './texts.js';

export interface LanguageIntent {
  readonly kind: 'set_language';
  readonly locale: Locale;
}

/** `/language ru` (or en, either case): the locale named; undefined for anything else. */
export function languageNamed(words: readonly string[]): Locale | undefined {
  const [word] = words;
  return words.length === 1 ? LOCALES.find((locale) => locale === word?.toLowerCase()) : undefined;
}

/** The locale a language button's label stands for. */
export function languageOfButton(label: string): Locale | undefined {
  return LANGUAGE_BUTTONS.find(([, text]) => text === label.trim())?.[0];
}

/** How storing the choice went: done, or the users context could not be reached (answered, not retried). */
export type LanguageOutcome = { readonly ok: true } | { readonly ok: false; readonly failure: 'unavailable' };

export function concludeLanguage(intent: LanguageIntent, outcome: LanguageOutcome, view: MainBotView): MainBotStep {
  if (!outcome.ok) return toMenu(view, texts(view.locale).languageUnavailable);
  const now = { ...view, locale: intent.locale };
  return toMenu(now, texts(intent.locale).languageSet);
}
