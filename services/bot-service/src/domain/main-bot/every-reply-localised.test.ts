/**
 * Catches a reply written outside the catalogues (issue 24): the main bot is driven through every
 * route it has (commands, menu buttons, questions, each outcome of adding a bot, publishing and
 * payments, refusals, usage errors), once as an English reader and once as a Russian one, with the
 * same inputs and the same outcomes. A text hard-coded in code comes out the same in both runs, so
 * each pair of replies must differ once the parts that are no language are taken out (names,
 * numbers, commands, links, user content); and a Russian reply may hold no English word but the
 * few proper names listed. Why this and not a scan of the sources: a hard-coded reply can be built
 * anywhere (a template, a relayed error message); only what a person receives shows it.
 */
import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  BotSchema,
  ChannelSchema,
  ChatKind,
  InvoiceSchema,
  InvoiceStatus,
  MoneySchema,
  PaymentProvider,
  PlanKind,
  PlanSchema,
  PostSchema,
  PostStatus,
  StorySchema,
  StoryStatus,
  SubscriptionSchema,
  SubscriptionStatus,
  refusalDetails,
  type Bot,
} from '@nova/contracts';
import { LOCALES, type Locale } from '@nova/i18n';
import type { IncomingUpdate } from '../updates/incoming.js';
import { messageUpdate } from '../updates/sample-updates.js';
import type { IntentOutcome } from './decide.js';
import type { PaymentOutcome } from './payments.js';
import type { PublishingOutcome } from './publishing.js';
import { routeMainBotMessage } from './router.js';
import { IDLE, type ConversationState } from './state.js';
import { buttons } from './texts.js';

const anna = { id: 42, first_name: 'Анна' };
const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const shop = create(BotSchema, { botId: 7000000123n, username: 'anna_shop_bot', greeting: 'Hello, {name}! 👋', audienceSize: 3n });
const price = create(MoneySchema, { minorUnits: 29_900n, currency: 'RUB' });
const plan = create(PlanSchema, { id: 'bots-30d', kind: PlanKind.BOTS, periodDays: 30, price, title: 'More bots, 30 days' });
const channel = create(ChannelSchema, { chatId: -100123n, title: 'News', kind: ChatKind.CHANNEL });
const at = timestampFromDate(new Date('2027-01-01T09:00:00Z'));
const post = (status: PostStatus) => create(PostSchema, { postId: 12n, chatIds: [-100123n, -100124n], status, publishAt: at, publishedAt: at, content: { text: 'Sale' }, outcomes: [{ chatId: -100123n, sent: true }] });
const invoice = create(InvoiceSchema, { id: 'inv-1', planId: 'bots-30d', amount: price, payUrl: 'https://pay.platega.io/?id=1', provider: PaymentProvider.PLATEGA, status: InvoiceStatus.PAID, createdAt: at });
const subscription = create(SubscriptionSchema, { kind: PlanKind.BOTS, status: SubscriptionStatus.ACTIVE, endsAt: at });

interface Scenario {
  readonly name: string;
  /** The message, in the reader's language where it is a button label. */
  readonly text: (locale: Locale) => string | undefined;
  readonly state?: ConversationState;
  readonly bots?: readonly Bot[];
  readonly add?: IntentOutcome;
  readonly publishing?: PublishingOutcome;
  readonly payments?: PaymentOutcome;
  readonly admin?: boolean;
}

const say = (text: string) => (): string => text;
const button = (name: keyof ReturnType<typeof buttons>) => (locale: Locale): string => buttons(locale)[name];

const SCENARIOS: readonly Scenario[] = [
  { name: '/start', text: say('/start') },
  { name: '/help', text: say('/help') },
  { name: '/language', text: say('/language') },
  // (`/language ru` is left out: its answer is in the language just chosen, the same for both readers by design.)
  { name: 'unknown text', text: say('hello?') },
  { name: 'no text (a sticker)', text: () => undefined },
  { name: 'add button', text: button('add') },
  { name: 'list button, no bots', text: button('list') },
  { name: 'list button, a bot', text: button('list'), bots: [shop] },
  { name: 'remove button, no bots', text: button('remove') },
  { name: 'remove button, a bot', text: button('remove'), bots: [shop] },
  { name: 'greeting button, a bot', text: button('greeting'), bots: [shop] },
  { name: 'cancel at a question', text: button('cancel'), state: { step: 'awaiting_token' } },
  { name: 'a non-token at the token question', text: say('not a token'), state: { step: 'awaiting_token' } },
  { name: 'added', text: say(TOKEN), state: { step: 'awaiting_token' }, add: { ok: true, bot: shop } },
  ...(['token_invalid', 'token_rejected', 'taken', 'not_found', 'greeting_invalid'] as const).map((failure) => ({ name: `add: ${failure}`, text: say(TOKEN), state: { step: 'awaiting_token' } as const, add: { ok: false, failure } as const })),
  { name: 'add: already yours', text: say(TOKEN), state: { step: 'awaiting_token' }, add: { ok: false, failure: 'already_yours', username: 'anna_shop_bot' } },
  { name: 'add: bot limit', text: say(TOKEN), state: { step: 'awaiting_token' }, add: { ok: false, failure: 'bot_limit', limit: 3, subscribed: false } },
  { name: 'add: bot limit, subscribed', text: say(TOKEN), state: { step: 'awaiting_token' }, add: { ok: false, failure: 'bot_limit', limit: 20, subscribed: true } },
  { name: '/channels, none', text: say('/channels'), publishing: { ok: true, kind: 'channels', channels: [] } },
  { name: '/channels, one', text: say('/channels'), publishing: { ok: true, kind: 'channels', channels: [channel] } },
  { name: '/link usage', text: say('/link') },
  { name: '/link someone else\'s bot', text: say('/link @other_bot -100123'), bots: [shop] },
  { name: '/link', text: say('/link @anna_shop_bot -100123'), bots: [shop], publishing: { ok: true, kind: 'linked', channel } },
  { name: '/unlink usage', text: say('/unlink news') },
  { name: '/unlink', text: say('/unlink -100123'), publishing: { ok: true, kind: 'unlinked' } },
  { name: '/posts, none', text: say('/posts'), publishing: { ok: true, kind: 'posts', posts: [] } },
  { name: '/posts', text: say('/posts'), publishing: { ok: true, kind: 'posts', posts: [PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.CANCELLED].map(post) } },
  { name: '/post usage', text: say('/post') },
  { name: '/post in the past', text: say('/post all at 2020-01-01 09:00\nSale') },
  { name: '/post, no channels', text: say('/post all\nSale'), publishing: { ok: false, failure: 'no_channels' } },
  { name: '/post scheduled', text: say('/post all in 2h\nSale'), publishing: { ok: true, kind: 'post', post: post(PostStatus.SCHEDULED) } },
  { name: '/post published', text: say('/post all\nSale'), publishing: { ok: true, kind: 'post', post: post(PostStatus.PUBLISHED) } },
  { name: '/post going out', text: say('/post all\nSale'), publishing: { ok: true, kind: 'post', post: post(PostStatus.PUBLISHING) } },
  { name: '/post refused (known reason)', text: say('/post all\nSale'), publishing: { ok: false, failure: 'refused', details: refusalDetails('no-posting-subscription', {}) } },
  { name: '/post refused (unknown reason)', text: say('/post all\nSale'), publishing: { ok: false, failure: 'refused', details: { reason: 'from-the-future' } } },
  { name: '/post, publishing unavailable', text: say('/post all\nSale'), publishing: { ok: false, failure: 'unavailable' } },
  { name: '/editpost usage', text: say('/editpost') },
  { name: '/editpost', text: say('/editpost 12\nNew'), publishing: { ok: true, kind: 'post', post: post(PostStatus.SCHEDULED) } },
  { name: '/cancelpost usage', text: say('/cancelpost twelve') },
  { name: '/cancelpost', text: say('/cancelpost 12'), publishing: { ok: true, kind: 'post', post: post(PostStatus.CANCELLED) } },
  { name: '/story usage', text: say('/story') },
  { name: '/story someone else\'s bot', text: say('/story @other_bot 24h https://x.io/a.jpg'), bots: [shop] },
  { name: '/story posted', text: say('/story @anna_shop_bot 24h https://x.io/a.jpg'), bots: [shop], publishing: { ok: true, kind: 'story', story: create(StorySchema, { status: StoryStatus.POSTED, activePeriodSeconds: 86_400 }) } },
  { name: '/story failed', text: say('/story @anna_shop_bot 24h https://x.io/a.jpg'), bots: [shop], publishing: { ok: true, kind: 'story', story: create(StorySchema, { status: StoryStatus.FAILED, error: 'Bad Request: STORY_X' }) } },
  { name: '/subscribe', text: say('/subscribe'), payments: { ok: true, kind: 'offer', plans: [plan] } },
  { name: '/subscribe, nothing offered', text: say('/subscribe'), payments: { ok: true, kind: 'offer', plans: [] } },
  { name: '/subscribe, payments unavailable', text: say('/subscribe'), payments: { ok: false, failure: 'unavailable' } },
  { name: '/buy usage', text: say('/buy') },
  { name: '/buy', text: say('/buy bots-30d platega'), payments: { ok: true, kind: 'invoice', invoice, plan } },
  { name: '/buy, unknown plan', text: say('/buy bots-30d platega'), payments: { ok: false, failure: 'unknown_plan' } },
  { name: '/buy, provider down', text: say('/buy bots-30d platega'), payments: { ok: false, failure: 'provider_unavailable', provider: 'platega' } },
  { name: '/billing, nothing', text: say('/billing'), payments: { ok: true, kind: 'billing', invoices: [], subscriptions: [] } },
  { name: '/billing', text: say('/billing'), payments: { ok: true, kind: 'billing', invoices: [invoice], subscriptions: [subscription] } },
  { name: '/admin for an admin', text: say('/admin'), admin: true },
];

async function repliesOf(scenario: Scenario, locale: Locale): Promise<string[]> {
  const update: IncomingUpdate = messageUpdate(anna, scenario.text(locale));
  const step = await routeMainBotMessage({
    botId: 100n,
    update,
    view: { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, locale, state: scenario.state ?? IDLE, bots: scenario.bots ?? [] },
    carryOut: () => (scenario.add === undefined ? Promise.reject(new Error(`${scenario.name}: no add expected`)) : Promise.resolve(scenario.add)),
    publishing: () => (scenario.publishing === undefined ? Promise.reject(new Error(`${scenario.name}: no publishing expected`)) : Promise.resolve(scenario.publishing)),
    payments: () => (scenario.payments === undefined ? Promise.reject(new Error(`${scenario.name}: no payment expected`)) : Promise.resolve(scenario.payments)),
    adminLink: () => (scenario.admin === true ? { url: 'https://nova.example/admin/sign-in/link?t=abc', minutes: 10 } : undefined),
    setLanguage: () => Promise.resolve(),
    now: new Date('2026-12-04T10:00:00Z'),
  });
  return step.replies.map((reply) => reply.text);
}

/** What is language in a reply: without links, commands, @names, numbers, the user's own words, emoji and punctuation. */
function language(text: string): string {
  return text
    .replace(/https?:\/\/\S+/gu, ' ')
    .replace(/\/[a-z_]+/giu, ' ')
    .replace(/@\w+/gu, ' ')
    .replace(/\b(Sale|New|News|Анна|hello\?|Bad Request: STORY_X|bots-30d|inv-1|AAH\w+)\b/gu, ' ')
    .replace(/[\d\s\p{P}\p{S}]+/gu, ' ')
    .trim();
}

/** Latin words a Russian reply may hold: names of things, not English. */
const PROPER_NAMES = new Set(['Nova', 'Telegram', 'Business', 'CryptoBot', 'Platega', 'UTC', 'BotFather', 'RUB', 'SBP', 'Sale', 'News', 'New', 'Bad', 'Request', 'STORY', 'X', 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', 'anna', 'shop', 'bot', 'other', 'inv', 'bots', 'd', 'platega', 'cryptobot', 'all', 'in', 'at', 'h', 'm', 'photo', 'id', 'x', 'io', 'a', 'jpg', 'https', 'pay', 'nova', 'example', 'admin', 'sign', 'link', 't', 'abc', 'ru', 'en', 'Hello', 'name']);

describe('every reply of the main bot comes from a catalogue', () => {
  it('covers both languages with the same routes', () => {
    expect(LOCALES).toEqual(['en', 'ru']);
  });

  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s: the English and the Russian reply differ in words, and the Russian one holds no English', async (_name, scenario) => {
    const [english, russian] = await Promise.all([repliesOf(scenario, 'en'), repliesOf(scenario, 'ru')]);
    expect(english.length).toBeGreaterThan(0);
    expect(russian).toHaveLength(english.length);
    english.forEach((text, index) => {
      const words = language(text);
      // A reply with no words at all (only a name or a number) says nothing in any language.
      if (words !== '') expect({ reply: index, russian: language(russian[index] ?? '') }).not.toEqual({ reply: index, russian: words });
      // Links, commands, @names, file names (photo.png) and the sample token in the how-to texts are not English.
      const latin = (russian[index] ?? '').replace(/https?:\/\/\S+|\/[a-z_]+|@\w+|\w*\.(?:png|jpe?g|mp4)\b|\d+:[\w-]+/giu, ' ').match(/[A-Za-z][A-Za-z0-9]*/gu) ?? [];
      expect({ reply: index, english: latin.filter((word) => !PROPER_NAMES.has(word)) }).toEqual({ reply: index, english: [] });
    });
  });
});
