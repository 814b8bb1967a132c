import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { BotSchema, type Bot } from '@nova/contracts';
import { UnavailableError } from '@nova/domain';
import type { IncomingUpdate } from '../updates/incoming.js';
import { messageUpdate } from '../updates/sample-updates.js';
import type { AdminLinkOffer } from './admin-link.js';
import type { IntentOutcome, MainBotIntent, MainBotStep } from './decide.js';
import { routeMainBotMessage } from './router.js';
import { IDLE, type ConversationState } from './state.js';
import { LOCALES, type Locale } from '@nova/i18n';
import type { LanguageIntent } from './language.js';
import { buttons, cancelOnly, LANGUAGE_BUTTONS, languageChoice, menu, texts } from './texts.js';

const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const anna = { id: 42, first_name: 'Анна' };
const added = create(BotSchema, { botId: 7000000123n, username: 'NewBot', greeting: 'Hello, {name}! 👋' });

interface Routed {
  readonly step: MainBotStep;
  readonly intents: readonly MainBotIntent[];
  readonly languages: readonly LanguageIntent[];
}

// The conversation runs once per language: the same routes, each in the person's own words.
describe.each(LOCALES)('the main bot in %s', (locale: Locale) => {
const other: Locale = locale === 'en' ? 'ru' : 'en';
const TEXT = texts(locale);
const MENU = menu(locale);
const CANCEL_ONLY = cancelOnly(locale);
const BUTTONS = buttons(locale);

/** Routes one message from Anna, in this state; an intent is answered with `outcome` (the processor carries it out for real). */
async function route(update: IncomingUpdate, state: ConversationState = IDLE, bots: readonly Bot[] = [], outcome?: IntentOutcome): Promise<Routed> {
  const intents: MainBotIntent[] = [];
  const languages: LanguageIntent[] = [];
  const step = await routeMainBotMessage({
    botId: 100n,
    update,
    view: { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, locale, state, bots },
    carryOut: (intent) => {
      intents.push(intent);
      if (outcome === undefined) throw new Error(`no intent expected, got ${intent.kind}`);
      return Promise.resolve(outcome);
    },
    setLanguage: (intent) => {
      languages.push(intent);
      return Promise.resolve();
    },
    now: new Date(1_700_000_000_000),
  });
  return { step, intents, languages };
}

const says = (text: string, replyMarkup = MENU) => [{ chatId: 42n, text, replyMarkup }];

describe('the main bot routed by telegraf', () => {
  it('routes slash commands: payloads, any @name in a private chat, aliases, any case', async () => {
    expect((await route(messageUpdate(anna, '/start'))).step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.welcome('Анна', false)) });
    expect((await route(messageUpdate(anna, '/start ref123'), { step: 'awaiting_token' })).step.next).toEqual(IDLE);
    expect((await route(messageUpdate(anna, '/START@NovaBot'))).step.replies).toEqual(says(TEXT.welcome('Анна', false)));
    expect((await route(messageUpdate(anna, '/newbot'))).step).toEqual({ kind: 'step', next: { step: 'awaiting_token' }, replies: says(TEXT.askToken, CANCEL_ONLY) });
    expect((await route(messageUpdate(anna, '/bots'))).step.replies).toEqual(says(TEXT.noBots));
    expect((await route(messageUpdate(anna, '/help'))).step.replies).toEqual(says(TEXT.help));
  });

  it('routes the reply-keyboard menu, blanks around a label included', async () => {
    expect((await route(messageUpdate(anna, BUTTONS.add))).step.next).toEqual({ step: 'awaiting_token' });
    expect((await route(messageUpdate(anna, ` ${BUTTONS.cancel} `), { step: 'awaiting_token' })).step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.cancelled) });
    expect((await route(messageUpdate(anna, BUTTONS.remove))).step.replies).toEqual(says(TEXT.noBots));
  });

  it("recognises the other language's buttons too (a keyboard from before a switch), answering in the person's language", async () => {
    const old = buttons(other);
    expect((await route(messageUpdate(anna, old.add))).step).toEqual({ kind: 'step', next: { step: 'awaiting_token' }, replies: says(TEXT.askToken, CANCEL_ONLY) });
    expect((await route(messageUpdate(anna, old.cancel), { step: 'awaiting_token' })).step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.cancelled) });
    expect((await route(messageUpdate(anna, old.list))).step.replies).toEqual(says(TEXT.noBots));
    expect((await route(messageUpdate(anna, old.language))).step.replies).toEqual(says(TEXT.chooseLanguage, languageChoice(locale)));
  });

  it('/language and the menu button offer the choice; a language button or /language <code> stores it and answers in it', async () => {
    for (const text of ['/language', '/language fr', BUTTONS.language]) {
      const offered = await route(messageUpdate(anna, text), { step: 'awaiting_token' });
      expect(offered.step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.chooseLanguage, languageChoice(locale)) });
      expect(offered.languages).toEqual([]);
    }
    for (const [chosen, label] of LANGUAGE_BUTTONS) {
      for (const text of [label, `/language ${chosen.toUpperCase()}`]) {
        const switched = await route(messageUpdate(anna, text));
        expect(switched.languages).toEqual([{ kind: 'set_language', locale: chosen }]);
        expect(switched.step).toEqual({ kind: 'step', next: IDLE, replies: says(texts(chosen).languageSet, menu(chosen)) });
      }
    }
  });

  it('takes anything else as text: unknown commands, prototype names, a command not marked by Telegram', async () => {
    for (const text of ['/constructor', '/unknown', '  hello ', 'start']) {
      expect((await route(messageUpdate(anna, text))).step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.notUnderstood) });
    }
    // Telegram marks every command with a bot_command entity; without one telegraf sees text.
    const unmarked = messageUpdate(anna, 'ignored');
    const raw = { ...unmarked.raw, message: { message_id: 1, date: 0, from: { id: 42, is_bot: false, first_name: 'Анна' }, chat: { id: 42, type: 'private' as const, first_name: 'Анна' }, text: '/start' } };
    expect((await route({ ...unmarked, raw })).step.replies).toEqual(says(TEXT.notUnderstood));
  });

  it('a token (trimmed) is carried out as an add, and the outcome is answered', async () => {
    const routed = await route(messageUpdate(anna, `  ${TOKEN} `), { step: 'awaiting_token' }, [], { ok: true, bot: added });
    expect(routed.intents).toEqual([{ kind: 'add', token: TOKEN }]);
    expect(routed.step).toEqual({ kind: 'step', next: IDLE, replies: says(TEXT.added(added)) });
    const refused = await route(messageUpdate(anna, TOKEN), IDLE, [], { ok: false, failure: 'token_rejected' });
    expect(refused.step).toEqual({ kind: 'step', next: { step: 'awaiting_token' }, replies: says(TEXT.tokenRejected, CANCEL_ONLY) });
  });

  it('a message without text is asked for text, the question kept', async () => {
    const asking = { step: 'awaiting_greeting', botId: 9n } as const;
    expect((await route(messageUpdate(anna, undefined), asking)).step).toEqual({ kind: 'step', next: asking, replies: [{ chatId: 42n, text: TEXT.textOnly }] });
  });

  it('rejects with a transient failure of carrying out, so the update is redelivered with nothing recorded', async () => {
    const failing = routeMainBotMessage({
      botId: 100n,
      update: messageUpdate(anna, TOKEN),
      view: { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, locale, state: IDLE, bots: [] },
      carryOut: () => Promise.reject(new UnavailableError('Telegram getMe failed: 502')),
      now: new Date(),
    });
    await expect(failing).rejects.toBeInstanceOf(UnavailableError);
  });

  it('/admin: a link for an admin (the conversation kept), and for anyone else exactly what an unknown command gets', async () => {
    const asking = { step: 'awaiting_token' } as const;
    const turn = (text: string, state: ConversationState, adminLink?: () => AdminLinkOffer | undefined) => routeMainBotMessage({
      botId: 100n,
      update: messageUpdate(anna, text),
      view: { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, locale, state, bots: [] },
      carryOut: () => Promise.reject(new Error('no intent expected')),
      ...(adminLink === undefined ? {} : { adminLink }),
      now: new Date(),
    });
    const offer = { url: 'https://admin.example/admin/auth/link?t=x.y', minutes: 5 };
    expect(await turn('/admin', asking, () => offer)).toEqual({ kind: 'step', next: asking, replies: [{ chatId: 42n, text: TEXT.adminLink(offer.url, 5) }] });
    for (const state of [IDLE, asking]) {
      const unknown = await turn('/unknown', state);
      for (const adminLink of [undefined, () => undefined]) {
        const answered = await turn('/admin', state, adminLink);
        expect(answered.next).toEqual(unknown.next);
        expect(answered.replies).toEqual(unknown.replies);
        expect(answered.replies.map((reply) => reply.text).join('\n')).not.toContain('http');
      }
    }
  });
});
});
