import type { Bot } from '@nova/contracts';
import type { Locale } from '@nova/i18n';
import type { Reply } from '../replies/reply.js';
import { looksLikeBotToken } from '../token.js';
import type { MainBotInput } from './input.js';
import { IDLE, type ConversationState } from './state.js';
import { botChoice, cancelOnly, languageChoice, menu, repliesOf, texts } from './texts.js';

/**
 * The main bot's menu and conversation as pure functions: (input, view) → what to do. Actions
 * with effects outside this conversation (adding, removing a bot, saving a greeting) come back as
 * an intent; the flow layer carries it out and hands the outcome to concludeMainBot.
 */

/** What the main bot knows when a message arrives. */
export interface MainBotView {
  readonly chatId: bigint;
  readonly user: { readonly firstName: string; readonly registeredNow: boolean };
  /** The language to answer in: the person's choice, else their Telegram app's (@nova/i18n's chooseLocale). */
  readonly locale: Locale;
  readonly state: ConversationState;
  /** The sender's child bots, oldest first. */
  readonly bots: readonly Bot[];
}

/** The conversation's next state and what to say. */
export interface MainBotStep {
  readonly kind: 'step';
  readonly next: ConversationState;
  readonly replies: readonly Reply[];
}

export type MainBotIntent =
  | { readonly kind: 'add'; readonly token: string }
  | { readonly kind: 'remove'; readonly botId: bigint; readonly username: string }
  | { readonly kind: 'set_greeting'; readonly botId: bigint; readonly username: string; readonly greeting: string };

/** How an intent went; transient failures are not outcomes (they are retried by redelivery). */
export type IntentOutcome =
  | { readonly ok: true; readonly bot: Bot }
  | { readonly ok: false; readonly failure: 'already_yours'; readonly username: string }
  | { readonly ok: false; readonly failure: 'bot_limit'; readonly limit: number; readonly subscribed: boolean }
  | { readonly ok: false; readonly failure: 'token_invalid' | 'token_rejected' | 'taken' | 'not_found' | 'greeting_invalid' };

export function step(view: MainBotView, next: ConversationState, ...replies: { text: string; markup: Reply['replyMarkup'] }[]): MainBotStep {
  return { kind: 'step', next, replies: replies.flatMap(({ text, markup }) => repliesOf(view.chatId, text, markup)) };
}

/** Back to the menu with a text (split for Telegram when long), in the person's language. */
export function toMenu(view: MainBotView, text: string): MainBotStep {
  return step(view, IDLE, { text, markup: menu(view.locale) });
}

/** The bot a button (or typed @username) names, among the sender's own. */
function chosenBot(text: string, bots: readonly Bot[]): Bot | undefined {
  const name = text.replace(/^@/, '').toLowerCase();
  return bots.find((bot) => bot.username.toLowerCase() === name);
}

function onCommand(command: Extract<MainBotInput, { kind: 'command' }>['command'], view: MainBotView): MainBotStep {
  const words = texts(view.locale);
  const cancelKeyboard = cancelOnly(view.locale);
  switch (command) {
    case 'start':
      return toMenu(view, words.welcome(view.user.firstName, view.user.registeredNow));
    case 'help':
      return toMenu(view, words.help);
    case 'cancel':
      return toMenu(view, words.cancelled);
    case 'add':
      return step(view, { step: 'awaiting_token' }, { text: words.askToken, markup: cancelKeyboard });
    case 'list':
      return toMenu(view, view.bots.length === 0 ? words.noBots : words.list(view.bots));
    case 'remove':
      if (view.bots.length === 0) return toMenu(view, words.noBots);
      return step(view, { step: 'choosing_bot_to_remove' }, { text: words.chooseToRemove, markup: botChoice(view.bots, view.locale) });
    case 'greeting':
      if (view.bots.length === 0) return toMenu(view, words.noBots);
      return step(view, { step: 'choosing_bot_for_greeting' }, { text: words.chooseForGreeting, markup: botChoice(view.bots, view.locale) });
    case 'language':
      // No conversation step: the language buttons are recognised whatever the state (router.ts).
      return step(view, IDLE, { text: words.chooseLanguage, markup: languageChoice(view.locale) });
  }
}

function onText(text: string, view: MainBotView): MainBotStep | MainBotIntent {
  const { state } = view;
  const words = texts(view.locale);
  const cancelKeyboard = cancelOnly(view.locale);
  switch (state.step) {
    case 'idle':
      // A token pasted without pressing "Add" first is still plainly a request to add it.
      return looksLikeBotToken(text) ? { kind: 'add', token: text } : toMenu(view, words.notUnderstood);
    case 'awaiting_token':
      return looksLikeBotToken(text) ? { kind: 'add', token: text } : step(view, state, { text: words.notAToken, markup: cancelKeyboard });
    case 'choosing_bot_to_remove': {
      const bot = chosenBot(text, view.bots);
      if (bot === undefined) return step(view, state, { text: words.chooseFromButtons, markup: botChoice(view.bots, view.locale) });
      return { kind: 'remove', botId: bot.botId, username: bot.username };
    }
    case 'choosing_bot_for_greeting': {
      const bot = chosenBot(text, view.bots);
      if (bot === undefined) return step(view, state, { text: words.chooseFromButtons, markup: botChoice(view.bots, view.locale) });
      return step(view, { step: 'awaiting_greeting', botId: bot.botId }, { text: words.askGreeting(bot.username), markup: cancelKeyboard });
    }
    case 'awaiting_greeting': {
      const bot = view.bots.find((candidate) => candidate.botId === state.botId);
      if (bot === undefined) return toMenu(view, words.botGone);
      return { kind: 'set_greeting', botId: bot.botId, username: bot.username, greeting: text };
    }
  }
}

export function decideMainBot(input: MainBotInput, view: MainBotView): MainBotStep | MainBotIntent {
  switch (input.kind) {
    case 'command':
      return onCommand(input.command, view);
    case 'text':
      return onText(input.text, view);
    case 'other':
      return step(view, view.state, { text: texts(view.locale).textOnly, markup: undefined });
  }
}

/** What to say and where the conversation goes once an intent was carried out. */
export function concludeMainBot(intent: MainBotIntent, outcome: IntentOutcome, view: MainBotView): MainBotStep {
  const words = texts(view.locale);
  const cancelKeyboard = cancelOnly(view.locale);
  if (outcome.ok) {
    switch (intent.kind) {
      case 'add':
        return toMenu(view, words.added(outcome.bot));
      case 'remove':
        return toMenu(view, words.removed(intent.username));
      case 'set_greeting':
        return toMenu(view, words.greetingSaved(outcome.bot));
    }
  }
  switch (outcome.failure) {
    case 'token_invalid':
      return step(view, { step: 'awaiting_token' }, { text: words.notAToken, markup: cancelKeyboard });
    case 'token_rejected':
      return step(view, { step: 'awaiting_token' }, { text: words.tokenRejected, markup: cancelKeyboard });
    case 'already_yours':
      return toMenu(view, words.alreadyYours(outcome.username));
    case 'taken':
      return toMenu(view, words.taken);
    case 'bot_limit':
      return toMenu(view, outcome.subscribed ? words.botLimitSubscribed(outcome.limit) : words.botLimitFree(outcome.limit));
    case 'not_found':
      return toMenu(view, words.botGone);
    case 'greeting_invalid':
      return step(view, view.state, { text: words.greetingInvalid, markup: cancelKeyboard });
  }
}
