import { LOCALES, type Locale } from '@nova/i18n';
import { routeUpdate } from '@nova/telegram';
import { Composer, Context, type Telegram } from 'telegraf';
import { message } from 'telegraf/filters';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { ReplyRecorder, say } from '../replies/reply-recorder.js';
import type { IncomingUpdate } from '../updates/incoming.js';
import type { AdminLinkOffer } from './admin-link.js';
import { concludeMainBot, decideMainBot, type IntentOutcome, type MainBotIntent, type MainBotStep, type MainBotView } from './decide.js';
import type { MainBotCommand, MainBotInput } from './input.js';
import { concludeLanguage, languageNamed, languageOfButton, type LanguageIntent, type LanguageOutcome } from './language.js';
import { concludePayment, decidePayment, tappedPurchase, type PaymentInput, type PaymentIntent, type PaymentOutcome } from './payments.js';
import { concludePublishing, decidePublishing, type PublishingInput, type PublishingIntent, type PublishingOutcome } from './publishing.js';
import type { TelegramEntity } from './post-draft.js';
import type { ConversationState } from './state.js';
import { LANGUAGE_BUTTONS, buttons, texts, type ButtonName } from './texts.js';

/**
 * telegraf routes the main bot's messages: slash commands (`bot.command`), the reply-keyboard
 * menu (`bot.hears`), other text and other messages (`bot.on`). Each route hands its input to the
 * pure decision layer (decideMainBot / concludeMainBot), and the replies go out through a
 * ReplyRecorder's telegram: into the outbox the processor commits with the update, never to
 * Telegram while the update is being processed.
 */

/** One private message from a person to the main bot, with what deciding on it needs. */
export interface MainBotTurn {
  readonly botId: bigint;
  readonly update: IncomingUpdate;
  readonly view: MainBotView;
  /** Carries out an add, remove or greeting change; idempotent under the update's msgID. */
  readonly carryOut: (intent: MainBotIntent) => Promise<IntentOutcome>;
  /** Asks the payments context for /subscribe, /buy and /billing; idempotent under the update's msgID. Absent: payments are unavailable. */
  readonly payments?: (intent: PaymentIntent) => Promise<PaymentOutcome>;
  /** Asks the publisher context for the channel, post and story commands; idempotent under the update's msgID. Absent: publishing is unavailable. */
  readonly publishing?: (intent: PublishingIntent) => Promise<PublishingOutcome>;
  /**
   * /admin: a one-time sign-in link to the admin panel when the sender is an admin, undefined
   * otherwise (and when the panel's link is not configured). Absent: /admin is an unknown command.
   */
  readonly adminLink?: () => AdminLinkOffer | undefined;
  /**
   * Stores the person's chosen language with the users context (svc.user.set_language); a
   * transient failure is thrown, so the update is retried. Absent: the language cannot be changed.
   */
  readonly setLanguage?: (intent: LanguageIntent) => Promise<void>;
  /** The date recorded replies carry (and "now" for a post scheduled "in 2h"). */
  readonly now: Date;
}

/** What the routes read and write besides telegraf's context. */
interface TurnState {
  readonly turn: MainBotTurn;
  next: ConversationState | undefined;
}

class MainBotContext extends Context implements TurnState {
  next: ConversationState | undefined;

  constructor(
    update: Update,
    telegram: Telegram,
    botInfo: UserFromGetMe,
    readonly turn: MainBotTurn,
  ) {
    super(update, telegram, botInfo);
  }

  /**
   * telegraf skips "/start@name" as another bot's command unless name is ctx.me. The main bot is
   * routed private messages only, and in a private chat every message is for this bot whatever
   * name a command carries; its username is not configured (only its token), and asking getMe
   * for it would add a Telegram call. So the bot is whichever name the command gives.
   */
  override get me(): string {
    return commandAddressee(this.update) ?? this.botInfo.username;
  }
}

/** The "name" of "/command@name" at the start of a message, read the way telegraf's command() reads it. */
function commandAddressee(update: Update): string | undefined {
  if (!('message' in update) || !('text' in update.message)) return undefined;
  const entity = update.message.entities?.[0];
  if (entity?.type !== 'bot_command' || entity.offset !== 0) return undefined;
  return update.message.text.slice(0, entity.length).split('@')[1];
}

/** Slash commands by the names users type; case-insensitive, as they were before telegraf. */
const SLASH_COMMANDS: readonly (readonly [MainBotCommand, readonly string[]])[] = [
  ['start', ['start']],
  ['help', ['help']],
  ['cancel', ['cancel']],
  ['add', ['add', 'newbot']],
  ['list', ['bots', 'list']],
  ['remove', ['remove']],
  ['greeting', ['greeting']],
];

const MENU_COMMANDS: readonly (readonly [MainBotCommand, ButtonName])[] = [
  ['add', 'add'],
  ['list', 'list'],
  ['greeting', 'greeting'],
  ['remove', 'remove'],
  ['cancel', 'cancel'],
  ['language', 'language'],
];

/**
 * Every locale's label of a button: a person who switched language may still press a keyboard
 * Telegram shows from before, so each button is recognised in either language.
 */
function labelsOf(button: ButtonName): string[] {
  return [...new Set(LOCALES.map((locale) => buttons(locale)[button]))];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function commandNamed(names: readonly string[]): RegExp {
  return new RegExp(`^(?:${names.map(escapeRegExp).join('|')})$`, 'i');
}

/** A button's labels, with the blanks a client may add around it. */
function buttonLabelled(labels: readonly string[]): RegExp {
  return new RegExp(`^\\s*(?:${labels.map(escapeRegExp).join('|')})\\s*$`, 'u');
}

async function respond(ctx: Context & TurnState, input: MainBotInput): Promise<void> {
  const { view, carryOut } = ctx.turn;
  const decided = decideMainBot(input, view);
  const step = decided.kind === 'step' ? decided : concludeMainBot(decided, await carryOut(decided), view);
  ctx.next = step.next;
  for (const reply of step.replies) await say(ctx, reply);
}

async function respondPayment(ctx: Context & TurnState, input: PaymentInput): Promise<void> {
  const { view, payments } = ctx.turn;
  const decided = decidePayment(input, view);
  const outcome = async (intent: PaymentIntent): Promise<PaymentOutcome> => (payments === undefined ? { ok: false, failure: 'unavailable' } : payments(intent));
  const step = decided.kind === 'step' ? decided : concludePayment(decided, await outcome(decided), view);
  ctx.next = step.next;
  for (const reply of step.replies) await say(ctx, reply);
}

async function respondPublishing(ctx: Context & TurnState, input: PublishingInput): Promise<void> {
  const { view, publishing, now } = ctx.turn;
  const decided = decidePublishing(input, view, now);
  const outcome = async (intent: PublishingIntent): Promise<PublishingOutcome> => (publishing === undefined ? { ok: false, failure: 'unavailable' } : publishing(intent));
  const step = decided.kind === 'step' ? decided : concludePublishing(decided, await outcome(decided), view);
  ctx.next = step.next;
  for (const reply of step.replies) await say(ctx, reply);
}

/**
 * /admin: an admin gets a one-time sign-in link to the panel, and the conversation stays where it
 * was. Anyone else gets exactly what an unknown command gets, so the command reveals nothing:
 * not that it exists, nor who the admins are.
 */
async function respondAdmin(ctx: Context & TurnState): Promise<void> {
  const offer = ctx.turn.adminLink?.();
  if (offer === undefined) return respond(ctx, { kind: 'text', text: messageText(ctx).trim() });
  ctx.next = ctx.turn.view.state;
  await say(ctx, { chatId: ctx.turn.view.chatId, text: texts(ctx.turn.view.locale).adminLink(offer.url, offer.minutes) });
}

/** A language button, or `/language ru|en`: store the choice and answer in it; bare `/language` offers the choice. */
async function respondLanguage(ctx: Context & TurnState, locale: Locale | undefined): Promise<void> {
  if (locale === undefined) return respond(ctx, { kind: 'command', command: 'language' });
  const intent: LanguageIntent = { kind: 'set_language', locale };
  const { view, setLanguage } = ctx.turn;
  let outcome: LanguageOutcome = { ok: false, failure: 'unavailable' };
  if (setLanguage !== undefined) {
    await setLanguage(intent);
    outcome = { ok: true };
  }
  const step = concludeLanguage(intent, outcome, view);
  ctx.next = step.next;
  for (const reply of step.replies) await say(ctx, reply);
}

/** The text of the message a command came in (a post's text and a story's caption run past the command's words). */
function messageText(ctx: Context): string {
  return ctx.message !== undefined && 'text' in ctx.message ? ctx.message.text : '';
}

/** The formatting of that text (a post keeps it: post-draft.ts). */
function messageEntities(ctx: Context): TelegramEntity[] {
  return ctx.message !== undefined && 'entities' in ctx.message ? (ctx.message.entities ?? []) : [];
}

function mainBotRouter(): Composer<MainBotContext> {
  const bot = new Composer<MainBotContext>();
  for (const [command, names] of SLASH_COMMANDS) bot.command(commandNamed(names), (ctx) => respond(ctx, { kind: 'command', command }));
  for (const [command, button] of MENU_COMMANDS) bot.hears(buttonLabelled(labelsOf(button)), (ctx) => respond(ctx, { kind: 'command', command }));
  bot.command(commandNamed(['language']), (ctx) => respondLanguage(ctx, languageNamed(ctx.args)));
  bot.hears(buttonLabelled(LANGUAGE_BUTTONS.map(([, label]) => label)), (ctx) => respondLanguage(ctx, languageOfButton(ctx.message.text)));
  bot.command(commandNamed(['subscribe', 'plans']), (ctx) => respondPayment(ctx, { kind: 'subscribe' }));
  bot.command(commandNamed(['billing']), (ctx) => respondPayment(ctx, { kind: 'billing' }));
  bot.command(commandNamed(['buy']), (ctx) => respondPayment(ctx, { kind: 'buy', args: ctx.args }));
  bot.command(/^buy_[a-z0-9_]+_(?:cryptobot|platega)$/iu, (ctx) => respondPayment(ctx, { kind: 'buy', args: tappedPurchase(ctx.command) ?? [] }));
  bot.command(commandNamed(['channels']), (ctx) => respondPublishing(ctx, { kind: 'channels' }));
  bot.command(commandNamed(['posts']), (ctx) => respondPublishing(ctx, { kind: 'posts' }));
  bot.command(commandNamed(['link']), (ctx) => respondPublishing(ctx, { kind: 'link', args: ctx.args }));
  bot.command(commandNamed(['unlink']), (ctx) => respondPublishing(ctx, { kind: 'unlink', args: ctx.args }));
  bot.command(commandNamed(['cancelpost']), (ctx) => respondPublishing(ctx, { kind: 'cancel_post', args: ctx.args }));
  bot.command(commandNamed(['editpost']), (ctx) => respondPublishing(ctx, { kind: 'edit_post', text: messageText(ctx), entities: messageEntities(ctx) }));
  bot.command(commandNamed(['post']), (ctx) => respondPublishing(ctx, { kind: 'post', text: messageText(ctx), entities: messageEntities(ctx) }));
  bot.command(commandNamed(['story']), (ctx) => respondPublishing(ctx, { kind: 'story', text: messageText(ctx) }));
  bot.command(commandNamed(['admin']), (ctx) => respondAdmin(ctx));
  bot.hears(buttonLabelled(labelsOf('subscribe')), (ctx) => respondPayment(ctx, { kind: 'subscribe' }));
  bot.hears(buttonLabelled(labelsOf('billing')), (ctx) => respondPayment(ctx, { kind: 'billing' }));
  // Unknown commands ("/unknown") are text too: the conversation answers them as any text.
  bot.on(message('text'), (ctx) => respond(ctx, { kind: 'text', text: ctx.message.text.trim() }));
  bot.on('message', (ctx) => respond(ctx, { kind: 'other' }));
  return bot;
}

const MAIN_BOT_ROUTER = mainBotRouter();

/** telegraf's getMe answer, from what is known without asking Telegram (only the id is read). */
function mainBotInfo(botId: bigint): UserFromGetMe {
  return { id: Number(botId), is_bot: true, first_name: 'Nova', username: '', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false };
}

/**
 * Routes a person's private message to the main bot through telegraf and returns the
 * conversation's next state with the replies recorded for the outbox. Carrying out an intent is
 * the only effect; the caller commits the rest in the update's transaction.
 */
export async function routeMainBotMessage(turn: MainBotTurn): Promise<MainBotStep> {
  const recorder = ReplyRecorder.answering(turn.update.raw, turn.now);
  const ctx = new MainBotContext(turn.update.raw, recorder.telegram, mainBotInfo(turn.botId), turn);
  await routeUpdate(MAIN_BOT_ROUTER, ctx);
  return { kind: 'step', next: ctx.next ?? turn.view.state, replies: recorder.replies };
}
