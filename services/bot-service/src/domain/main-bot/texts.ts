import type { Bot } from '@nova/contracts';
import { Catalogue, LOCALES, splitForTelegram, type Locale } from '@nova/i18n';
import { greetingForOwner } from '../child-bot/texts.js';
import { NAME_PLACEHOLDER } from '../greeting.js';
import type { Reply } from '../replies/reply.js';
import type { ReplyMarkup } from '../telegram-gateway.js';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { MAIN_BOT_SPEC } from './catalogue/spec.js';

/**
 * Every word the main bot says comes from its catalogue (catalogue/en.ts, catalogue/ru.ts),
 * checked against catalogue/spec.ts when this module loads; these helpers give the decisions
 * typed texts and keyboards for a person's locale.
 */
export const MAIN_BOT_CATALOGUE = new Catalogue('main-bot', MAIN_BOT_SPEC, { en: EN, ru: RU });

/** The catalogue's formatter bound to a locale. */
export function say(locale: Locale) {
  return MAIN_BOT_CATALOGUE.in(locale);
}

/** Builds a locale's texts once, when the module loads, instead of on every message. */
export function perLocale<T>(make: (locale: Locale) => T): (locale: Locale) => T {
  const made = new Map(LOCALES.map((locale) => [locale, make(locale)] as const));
  return (locale) => made.get(locale) ?? make(locale);
}

/** The reply keyboard's labels in a locale. */
export const buttons = perLocale((locale) => {
  const t = say(locale);
  return {
    add: t('button-add'),
    list: t('button-list'),
    greeting: t('button-greeting'),
    remove: t('button-remove'),
    subscribe: t('button-subscribe'),
    billing: t('button-billing'),
    language: t('button-language'),
    cancel: t('button-cancel'),
  } as const;
});

export type ButtonName = keyof ReturnType<typeof buttons>;

/** The languages offered by /language, each in its own name (the same in every locale). */
export const LANGUAGE_BUTTONS: readonly (readonly [Locale, string])[] = LOCALES.map((locale) => [locale, say('en')(locale === 'ru' ? 'language-name-ru' : 'language-name-en')]);

export const menu = perLocale((locale): ReplyMarkup => {
  const b = buttons(locale);
  return {
    keyboard: [[{ text: b.add }, { text: b.list }], [{ text: b.greeting }, { text: b.remove }], [{ text: b.subscribe }, { text: b.billing }], [{ text: b.language }]],
    resize_keyboard: true,
    is_persistent: true,
  };
});

export const cancelOnly = perLocale((locale): ReplyMarkup => ({ keyboard: [[{ text: buttons(locale).cancel }]], resize_keyboard: true }));

/** Русский / English, then Cancel. */
export const languageChoice = perLocale((locale): ReplyMarkup => ({
  keyboard: [LANGUAGE_BUTTONS.map(([, label]) => ({ text: label })), [{ text: buttons(locale).cancel }]],
  resize_keyboard: true,
}));

/** One button per bot (its @username), then Cancel. */
export function botChoice(bots: readonly Bot[], locale: Locale): ReplyMarkup {
  return { keyboard: [...bots.map((bot) => [{ text: `@${bot.username}` }]), [{ text: buttons(locale).cancel }]], resize_keyboard: true };
}

/**
 * A text as replies Telegram accepts: one message, or several split between lines when it passes
 * 4,096 characters (a long bot list, billing, posts; Russian runs longer than English). The
 * keyboard goes with the last piece, so it stays under the newest message.
 */
export function repliesOf(chatId: bigint, text: string, markup: ReplyMarkup | undefined): Reply[] {
  const pieces = splitForTelegram(text);
  return pieces.map((piece, index) => ({ chatId, text: piece, ...(markup !== undefined && index === pieces.length - 1 ? { replyMarkup: markup } : {}) }));
}

/** The main bot's conversation texts in a locale. */
export const texts = perLocale((locale) => {
  const t = say(locale);
  return {
    welcome: (firstName: string, registeredNow: boolean) => (registeredNow ? t('welcome-new', { name: firstName }) : t('welcome-back', { name: firstName })),
    help: t('help', { placeholder: NAME_PLACEHOLDER }),
    cancelled: t('cancelled'),
    askToken: t('ask-token'),
    notAToken: t('not-a-token'),
    tokenRejected: t('token-rejected'),
    // A bot still on its built-in greeting greets each person in their language; its owner reads it in theirs.
    added: (bot: Bot) => t('bot-added', { username: bot.username, greeting: greetingForOwner(bot.greeting, locale) }),
    alreadyYours: (username: string) => t('already-yours', { username }),
    taken: t('taken'),
    botLimitFree: (limit: number) => t('bot-limit-free', { limit }),
    botLimitSubscribed: (limit: number) => t('bot-limit-subscribed', { limit }),
    noBots: t('no-bots'),
    list: (bots: readonly Bot[]) => [t('bots-title'), ...bots.map((bot) => t('bots-line', { username: bot.username, count: bot.audienceSize }))].join('\n'),
    chooseToRemove: t('choose-to-remove'),
    chooseForGreeting: t('choose-for-greeting'),
    chooseFromButtons: t('choose-from-buttons'),
    askGreeting: (username: string) => t('ask-greeting', { username, placeholder: NAME_PLACEHOLDER }),
    greetingSaved: (bot: Bot) => t('greeting-saved', { username: bot.username, greeting: bot.greeting }),
    greetingInvalid: t('greeting-invalid'),
    removed: (username: string) => t('removed', { username }),
    botGone: t('bot-gone'),
    notUnderstood: t('not-understood'),
    textOnly: t('text-only'),
    adminLink: (url: string, minutes: number) => t('admin-link', { url, minutes }),
    chooseLanguage: t('choose-language'),
    languageSet: t('language-set'),
    languageUnavailable: t('language-unavailable'),
  } as const;
});

/**
 * The tappable purchase command of a plan and provider: `/buy_bots_30d_cryptobot` for plan
 * `bots-30d` (plan ids are [a-z0-9-], never `_`, so `_` stands for `-` and the id reads back).
 */
export function buyCommand(planId: string, provider: 'cryptobot' | 'platega'): string {
  return `/buy_${planId.replaceAll('-', '_')}_${provider}`;
}

/** Provider names are brands: the same in every locale. */
export const PROVIDER_NAME = { cryptobot: 'CryptoBot', platega: 'Platega' } as const;

/** The main bot's words about subscriptions and payments (main-bot/payments.ts), in a locale. */
export const paymentTexts = perLocale((locale) => {
  const t = say(locale);
  return {
    offer: (lines: readonly string[]) => [t('offer-title'), ...lines].join('\n'),
    // One-word commands, so a tap on them sends the whole purchase (Telegram makes /word tappable, not its arguments).
    offerLine: (title: string, price: string, planId: string) => t('offer-line', { title, price, cryptobot: buyCommand(planId, 'cryptobot'), platega: buyCommand(planId, 'platega') }),
    noPlans: t('no-plans'),
    buyUsage: t('buy-usage'),
    payLink: (title: string, price: string, provider: string, url: string) => t('pay-link', { title, price, provider, url }),
    unknownPlan: t('unknown-plan'),
    providerDown: (provider: 'cryptobot' | 'platega', planId: string) => {
      const other = provider === 'cryptobot' ? 'platega' : 'cryptobot';
      return t('provider-down', { provider: PROVIDER_NAME[provider], other: PROVIDER_NAME[other], command: buyCommand(planId, other) });
    },
    unavailable: t('payments-unavailable'),
    billing: (subscriptions: readonly string[], invoices: readonly string[]) =>
      [
        subscriptions.length === 0 ? t('billing-none') : [t('billing-subscriptions'), ...subscriptions].join('\n'),
        invoices.length === 0 ? '' : [t('billing-payments'), ...invoices].join('\n'),
      ].filter(Boolean).join('\n\n'),
    activated: (kind: string, until: string) => t('activated', { kind, until }),
    subscriptionLine: (kind: string, until: string, status: string) => t('subscription-line', { kind, until, status }),
    invoiceLine: (price: string, provider: string, status: string, date: string) => t('invoice-line', { price, provider, status, date }),
    planKind: (kind: 'bots' | 'stories' | 'posting' | 'other') => t('plan-kind', { kind }),
    planTitle: (kind: 'bots' | 'stories' | 'posting', days: number) => t('plan-title', { kind, days }),
    subscriptionStatus: (status: 'active' | 'expired' | 'revoked' | 'other') => t('subscription-status', { status }),
    invoiceStatus: (status: 'pending' | 'paid' | 'expired' | 'canceled' | 'chargebacked' | 'other') => t('invoice-status', { status }),
  } as const;
});
