import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { BotSchema, type Bot } from '@nova/contracts';
import { concludeMainBot, decideMainBot, type MainBotIntent, type MainBotStep, type MainBotView } from './decide.js';
import type { MainBotCommand, MainBotInput } from './input.js';
import { IDLE, type ConversationState } from './state.js';
import { LOCALES, type Locale } from '@nova/i18n';
import { botChoice as botChoiceIn, cancelOnly, languageChoice, menu, texts } from './texts.js';

const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const anna = create(BotSchema, { botId: 11n, username: 'AnnaHelloBot', greeting: 'Hi {name}', audienceSize: 1n });
const shop = create(BotSchema, { botId: 12n, username: 'anna_shop_bot', greeting: 'Shop!', audienceSize: 3n });

/** Words the tests check literally, per language (the rest compare with the catalogue's texts). */
const WORDS: Readonly<Record<Locale, { list: string; alreadyYours: string; subscription: string }>> = {
  en: { list: 'Your bots:\n• @AnnaHelloBot: 1 person\n• @anna_shop_bot: 3 people', alreadyYours: '@NewBot is already connected to your account.', subscription: 'subscription' },
  ru: { list: 'Ваши боты:\n• @AnnaHelloBot: 1 человек\n• @anna_shop_bot: 3 человека', alreadyYours: '@NewBot уже подключён к вашему аккаунту.', subscription: 'подписк' },
};

// The conversation runs once per language: the same decisions, each in the person's own words.
describe.each(LOCALES)('the main bot in %s', (locale) => {
const TEXT = texts(locale);
const MENU = menu(locale);
const CANCEL_ONLY = cancelOnly(locale);
const botChoice = (bots: readonly Bot[]) => botChoiceIn(bots, locale);

function view(state: ConversationState = IDLE, bots: readonly Bot[] = [], registeredNow = false): MainBotView {
  return { chatId: 42n, user: { firstName: 'Анна', registeredNow }, locale, state, bots };
}

function stepOf(result: MainBotStep | MainBotIntent): MainBotStep {
  if (result.kind !== 'step') throw new Error(`expected a step, got intent ${result.kind}`);
  return result;
}

// The router (router.test.ts) turns messages into these inputs.
const command = (name: MainBotCommand): MainBotInput => ({ kind: 'command', command: name });
const text = (value: string): MainBotInput => ({ kind: 'text', text: value });
const OTHER: MainBotInput = { kind: 'other' };

const say = (text: string, replyMarkup?: MainBotStep['replies'][number]['replyMarkup']) => ({ chatId: 42n, text, ...(replyMarkup ? { replyMarkup } : {}) });

describe('decideMainBot', () => {
  it('/start welcomes a new user differently from a returning one, with the menu, from any state', () => {
    expect(decideMainBot(command('start'), view(IDLE, [], true))).toEqual({
      kind: 'step',
      next: IDLE,
      replies: [say(TEXT.welcome('Анна', true), MENU)],
    });
    const midway = stepOf(decideMainBot(command('start'), view({ step: 'awaiting_token' })));
    expect(midway.next).toEqual(IDLE);
    expect(midway.replies[0]?.text).toBe(TEXT.welcome('Анна', false));
  });

  it('"Add a bot" asks for the token; a token then becomes an add intent; anything else is asked again', () => {
    const asked = stepOf(decideMainBot(command('add'), view()));
    expect(asked).toEqual({ kind: 'step', next: { step: 'awaiting_token' }, replies: [say(TEXT.askToken, CANCEL_ONLY)] });
    expect(decideMainBot(text(TOKEN), view(asked.next))).toEqual({ kind: 'add', token: TOKEN });
    expect(decideMainBot(text('my token is secret'), view(asked.next))).toEqual({
      kind: 'step',
      next: { step: 'awaiting_token' },
      replies: [say(TEXT.notAToken, CANCEL_ONLY)],
    });
  });

  it('a token pasted at the menu is an add intent too; other text gets the menu back', () => {
    expect(decideMainBot(text(TOKEN), view())).toEqual({ kind: 'add', token: TOKEN });
    expect(stepOf(decideMainBot(text('hello?'), view())).replies).toEqual([say(TEXT.notUnderstood, MENU)]);
  });

  it('lists the user\'s bots with their audience, or says there are none', () => {
    expect(stepOf(decideMainBot(command('list'), view(IDLE, [anna, shop]))).replies).toEqual([
      say(WORDS[locale].list, MENU),
    ]);
    expect(stepOf(decideMainBot(command('list'), view())).replies).toEqual([say(TEXT.noBots, MENU)]);
  });

  it('removing: choose a bot by its button (or typed name), then a remove intent; a name not owned is asked again', () => {
    const none = stepOf(decideMainBot(command('remove'), view()));
    expect(none.next).toEqual(IDLE);
    const choose = stepOf(decideMainBot(command('remove'), view(IDLE, [anna, shop])));
    expect(choose).toEqual({ kind: 'step', next: { step: 'choosing_bot_to_remove' }, replies: [say(TEXT.chooseToRemove, botChoice([anna, shop]))] });
    expect(decideMainBot(text('@anna_shop_bot'), view(choose.next, [anna, shop]))).toEqual({ kind: 'remove', botId: 12n, username: 'anna_shop_bot' });
    expect(decideMainBot(text('annahellobot'), view(choose.next, [anna, shop]))).toEqual({ kind: 'remove', botId: 11n, username: 'AnnaHelloBot' });
    expect(stepOf(decideMainBot(text('@someone_elses_bot'), view(choose.next, [anna, shop])))).toEqual({
      kind: 'step',
      next: choose.next,
      replies: [say(TEXT.chooseFromButtons, botChoice([anna, shop]))],
    });
  });

  it('changing a greeting: choose the bot, then the next text is the greeting', () => {
    const choose = stepOf(decideMainBot(command('greeting'), view(IDLE, [anna])));
    expect(choose.next).toEqual({ step: 'choosing_bot_for_greeting' });
    const ask = stepOf(decideMainBot(text('@AnnaHelloBot'), view(choose.next, [anna])));
    expect(ask).toEqual({ kind: 'step', next: { step: 'awaiting_greeting', botId: 11n }, replies: [say(TEXT.askGreeting('AnnaHelloBot'), CANCEL_ONLY)] });
    expect(decideMainBot(text('Welcome, {name}!'), view(ask.next, [anna]))).toEqual({
      kind: 'set_greeting',
      botId: 11n,
      username: 'AnnaHelloBot',
      greeting: 'Welcome, {name}!',
    });
    // The bot was removed meanwhile (e.g. from another device): back to the menu.
    expect(stepOf(decideMainBot(text('Welcome!'), view(ask.next, []))).replies).toEqual([say(TEXT.botGone, MENU)]);
  });

  it('Cancel returns to the menu from any question; a message without text is asked for text, state kept', () => {
    for (const state of [{ step: 'awaiting_token' }, { step: 'choosing_bot_to_remove' }, { step: 'awaiting_greeting', botId: 11n }] as const) {
      expect(decideMainBot(command('cancel'), view(state, [anna]))).toEqual({ kind: 'step', next: IDLE, replies: [say(TEXT.cancelled, MENU)] });
      expect(decideMainBot(OTHER, view(state, [anna]))).toEqual({ kind: 'step', next: state, replies: [say(TEXT.textOnly)] });
    }
  });
});

  it('/language offers Русский / English, state reset to the menu', () => {
    expect(decideMainBot(command('language'), view({ step: 'awaiting_token' }))).toEqual({ kind: 'step', next: IDLE, replies: [say(TEXT.chooseLanguage, languageChoice(locale))] });
  });

  it('splits a bot list past 4,096 characters between lines, the menu under the last piece', () => {
    const many = Array.from({ length: 150 }, (_, index) => create(BotSchema, { botId: BigInt(100 + index), username: `a_rather_long_bot_username_${String(index)}_bot`, audienceSize: BigInt(index) }));
    const { replies } = stepOf(decideMainBot(command('list'), view(IDLE, many)));
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) expect(reply.text.length).toBeLessThanOrEqual(4096);
    expect(replies.map((reply) => reply.text).join('\n')).toBe(TEXT.list(many));
    expect(replies.map((reply) => reply.replyMarkup)).toEqual([...replies.slice(1).map(() => undefined), MENU]);
  });

describe('concludeMainBot', () => {
  const added = create(BotSchema, { botId: 13n, username: 'NewBot', greeting: 'Hello, {name}! 👋' });

  it('after an add: the menu with the greeting, or the question again for a bad or refused token', () => {
    const intent = { kind: 'add', token: TOKEN } as const;
    const waiting = view({ step: 'awaiting_token' });
    expect(concludeMainBot(intent, { ok: true, bot: added }, waiting)).toEqual({ kind: 'step', next: IDLE, replies: [say(TEXT.added(added), MENU)] });
    // The built-in greeting, shown to the owner in the owner's language (each person gets it in theirs).
    expect(TEXT.added(added)).toContain(locale === 'ru' ? 'Здравствуйте, {name}! 👋' : 'Hello, {name}! 👋');
    expect(TEXT.added(create(BotSchema, { ...added, greeting: 'Hi {name}' }))).toContain('Hi {name}');
    expect(concludeMainBot(intent, { ok: false, failure: 'token_rejected' }, waiting)).toEqual({
      kind: 'step',
      next: { step: 'awaiting_token' },
      replies: [say(TEXT.tokenRejected, CANCEL_ONLY)],
    });
    expect(concludeMainBot(intent, { ok: false, failure: 'already_yours', username: 'NewBot' }, waiting).replies).toEqual([
      say(WORDS[locale].alreadyYours, MENU),
    ]);
    expect(concludeMainBot(intent, { ok: false, failure: 'taken' }, waiting).replies).toEqual([say(TEXT.taken, MENU)]);
  });

  it('over the bot limit: back to the menu, pointing at the subscription only where it would help', () => {
    const intent = { kind: 'add', token: TOKEN } as const;
    const waiting = view({ step: 'awaiting_token' });
    const free = concludeMainBot(intent, { ok: false, failure: 'bot_limit', limit: 3, subscribed: false }, waiting);
    expect(free).toEqual({ kind: 'step', next: IDLE, replies: [say(TEXT.botLimitFree(3), MENU)] });
    expect(TEXT.botLimitFree(3)).toContain(WORDS[locale].subscription);
    expect(concludeMainBot(intent, { ok: false, failure: 'bot_limit', limit: 20, subscribed: true }, waiting).replies).toEqual([say(TEXT.botLimitSubscribed(20), MENU)]);
  });

  it('after a removal or a greeting change: the menu; an invalid greeting keeps the question', () => {
    expect(concludeMainBot({ kind: 'remove', botId: 11n, username: 'AnnaHelloBot' }, { ok: true, bot: anna }, view()).replies).toEqual([
      say(TEXT.removed('AnnaHelloBot'), MENU),
    ]);
    const asking = view({ step: 'awaiting_greeting', botId: 11n }, [anna]);
    const intent = { kind: 'set_greeting', botId: 11n, username: 'AnnaHelloBot', greeting: '' } as const;
    expect(concludeMainBot(intent, { ok: false, failure: 'greeting_invalid' }, asking)).toEqual({
      kind: 'step',
      next: asking.state,
      replies: [say(TEXT.greetingInvalid, CANCEL_ONLY)],
    });
    expect(concludeMainBot(intent, { ok: false, failure: 'not_found' }, asking)).toEqual({ kind: 'step', next: IDLE, replies: [say(TEXT.botGone, MENU)] });
  });
});
});
