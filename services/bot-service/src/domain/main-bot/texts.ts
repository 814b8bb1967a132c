import type { Bot } from '@nova/contracts';
import { NAME_PLACEHOLDER } from '../greeting.js';
import type { ReplyMarkup } from '../telegram-gateway.js';

/** Every word the main bot says, in one place (a translation is one more file like this). */

export const BUTTONS = {
  add: '➕ Add a bot',
  list: '📋 My bots',
  greeting: '✏️ Change greeting',
  remove: '🗑 Remove a bot',
  subscribe: '⭐ Subscribe',
  billing: '💳 Billing',
  cancel: '✖️ Cancel',
} as const;

export const MENU: ReplyMarkup = {
  keyboard: [[{ text: BUTTONS.add }, { text: BUTTONS.list }], [{ text: BUTTONS.greeting }, { text: BUTTONS.remove }], [{ text: BUTTONS.subscribe }, { text: BUTTONS.billing }]],
  resize_keyboard: true,
  is_persistent: true,
};

export const CANCEL_ONLY: ReplyMarkup = { keyboard: [[{ text: BUTTONS.cancel }]], resize_keyboard: true };

/** One button per bot (its @username), then Cancel. */
export function botChoice(bots: readonly Bot[]): ReplyMarkup {
  return { keyboard: [...bots.map((bot) => [{ text: `@${bot.username}` }]), [{ text: BUTTONS.cancel }]], resize_keyboard: true };
}

export const TEXT = {
  welcome: (firstName: string, registeredNow: boolean) =>
    registeredNow
      ? `Welcome to Nova, ${firstName}! Connect your own Telegram bot and it will greet everyone who writes to it.\nUse the menu below.`
      : `Welcome back, ${firstName}! Use the menu below.`,
  help:
    'Nova connects your own bots.\n' +
    `${BUTTONS.add}: send me a token from @BotFather\n` +
    `${BUTTONS.list}: your bots and how many people talked to them\n` +
    `${BUTTONS.greeting}: what your bot answers (${NAME_PLACEHOLDER} becomes the person's first name)\n` +
    `${BUTTONS.remove}: disconnect a bot\n` +
    `${BUTTONS.subscribe}: plans for more bots, stories and posting; ${BUTTONS.billing}: your subscriptions and payments\n` +
    'Channels: /link @yourbot <channel id>, /unlink <channel id>, /channels\n' +
    'Posts: /post all (the text on the next lines; add "in 2h" or "at 2027-01-01 09:00" UTC to schedule), /posts, /editpost <number> (the new text on the next lines), /cancelpost <number>\n' +
    'Stories: /story @yourbot 24h <link to a photo or video> <caption>\n' +
    '/cancel stops what you started.',
  cancelled: 'Cancelled.',
  askToken: 'Send me your bot\'s token. @BotFather gives it when you create a bot with /newbot; it looks like 123456789:AAH…',
  notAToken: 'That does not look like a bot token (digits, a colon, then about 35 letters and digits). Send the token, or press Cancel.',
  tokenRejected: 'Telegram did not accept this token. Check it with @BotFather (/token) and send it again, or press Cancel.',
  added: (bot: Bot) =>
    `✅ @${bot.username} is connected. Everyone who writes to it gets your greeting:\n\n${bot.greeting}\n\nChange it with "${BUTTONS.greeting}".`,
  alreadyYours: (username: string) => `@${username} is already connected to your account.`,
  taken: 'This bot is already connected to Nova by another account. Its owner can remove it first.',
  botLimitFree: (limit: number) =>
    `You already have ${String(limit)} bots, the most the free plan allows. A bots subscription (${BUTTONS.subscribe}) allows more, or remove one with "${BUTTONS.remove}".`,
  botLimitSubscribed: (limit: number) => `You already have ${String(limit)} bots, the most a bots subscription allows. Remove one with "${BUTTONS.remove}" to connect another.`,
  noBots: `You have no bots yet. Press "${BUTTONS.add}" to connect one.`,
  list: (bots: readonly Bot[]) =>
    ['Your bots:', ...bots.map((bot) => `• @${bot.username}: ${bot.audienceSize} ${bot.audienceSize === 1n ? 'person' : 'people'}`)].join('\n'),
  chooseToRemove: 'Which bot should I disconnect?',
  chooseForGreeting: 'Which bot\'s greeting do you want to change?',
  chooseFromButtons: 'Choose one of your bots with the buttons below, or press Cancel.',
  askGreeting: (username: string) =>
    `Send the new greeting for @${username}. ${NAME_PLACEHOLDER} is replaced by the first name of the person it greets.`,
  greetingSaved: (bot: Bot) => `✏️ @${bot.username} now answers:\n\n${bot.greeting}`,
  greetingInvalid: 'A greeting is text of 1 to 4096 characters. Send it again, or press Cancel.',
  removed: (username: string) => `🗑 @${username} is disconnected. Its webhook is deleted and its token forgotten.`,
  botGone: 'That bot is no longer connected to your account.',
  notUnderstood: 'I did not understand that. Use the menu below, or /help.',
  textOnly: 'Please send text.',
  adminLink: (url: string, minutes: number) =>
    `🔐 Your sign-in link to the admin panel (it works once, for ${String(minutes)} ${minutes === 1 ? 'minute' : 'minutes'}; do not forward it):\n${url}`,
} as const;

/** The main bot's words about subscriptions and payments (main-bot/payments.ts). */
/**
 * The tappable purchase command of a plan and provider: `/buy_bots_30d_cryptobot` for plan
 * `bots-30d` (plan ids are [a-z0-9-], never `_`, so `_` stands for `-` and the id reads back).
 */
export function buyCommand(planId: string, provider: 'cryptobot' | 'platega'): string {
  return `/buy_${planId.replaceAll('-', '_')}_${provider}`;
}

export const PAYMENT_TEXT = {
  providerName: { cryptobot: 'CryptoBot', platega: 'Platega' } as const,
  offer: (lines: readonly string[]) => ['Subscriptions (pay with CryptoBot or Platega):', ...lines].join('\n'),
  // One-word commands, so a tap on them sends the whole purchase (Telegram makes /word tappable, not its arguments).
  offerLine: (title: string, price: string, planId: string) => `⭐ ${title}: ${price}\n   ${buyCommand(planId, 'cryptobot')} · ${buyCommand(planId, 'platega')}`,
  noPlans: 'There are no plans on offer right now.',
  buyUsage: 'To buy a plan, tap one of the commands /subscribe lists, or send /buy <plan> <cryptobot|platega>, e.g. /buy bots-30d cryptobot.',
  payLink: (title: string, price: string, provider: string, url: string) =>
    `Pay ${price} for "${title}" with ${provider}:\n${url}\n\nThe subscription starts as soon as ${provider} confirms the payment.`,
  unknownPlan: 'There is no such plan. /subscribe lists the plans on offer.',
  providerDown: (provider: string, other: string, planId: string) =>
    `${provider} cannot take payments right now. Pay with ${other} instead: ${buyCommand(planId, other.toLowerCase() === 'platega' ? 'platega' : 'cryptobot')}`,
  unavailable: 'Payments are not available right now. Please try again later.',
  billing: (subscriptions: readonly string[], invoices: readonly string[]) =>
    [
      subscriptions.length === 0 ? 'You have no subscriptions. /subscribe shows the plans.' : ['Your subscriptions:', ...subscriptions].join('\n'),
      invoices.length === 0 ? '' : ['Your payments:', ...invoices].join('\n'),
    ].filter(Boolean).join('\n\n'),
  activated: (kind: string, until: string) => `⭐ Payment received: your ${kind} subscription is active until ${until}. /billing shows it.`,
  subscriptionLine: (kind: string, until: string, status: string) => `• ${kind} until ${until} (${status})`,
  invoiceLine: (price: string, provider: string, status: string, date: string) => `• ${date}: ${price}, ${provider}, ${status}`,
} as const;
