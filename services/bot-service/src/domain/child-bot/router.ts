import type { Locale } from '@nova/i18n';
import { routeUpdate } from '@nova/telegram';
import { Composer, Context, type Telegram } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { ReplyRecorder, say } from '../replies/reply-recorder.js';
import type { IncomingSender, IncomingUpdate } from '../updates/incoming.js';
import { audienceMemberOf, greetingReply, type ChildBotDecision, type ChildBotView } from './reply.js';
import { builtInGreeting, isBuiltInGreeting } from './texts.js';

/**
 * The legacy hello_bot, routed by telegraf: every person who writes to the bot joins its
 * audience; in a private chat the bot answers each message with its owner's greeting, in a group
 * only /start (also "/start@<this bot>", so it does not answer every message of a busy group).
 * Other bots and channel posts are ignored. The greeting goes out through a ReplyRecorder's
 * telegram, into the outbox the processor commits with the update.
 */

/** One update to a child bot, with the bot as its row says. */
export interface ChildBotTurn {
  readonly update: IncomingUpdate;
  readonly bot: ChildBotView;
  /** The date recorded replies carry. */
  readonly now: Date;
  /**
   * The language of the person who wrote (their /language choice, else their Telegram app's),
   * asked only when the bot answers with its built-in greeting: an owner's own greeting needs none.
   */
  readonly senderLocale: () => Promise<Locale>;
}

interface TurnState {
  readonly turn: ChildBotTurn;
  audienceMember: IncomingSender | undefined;
}

class ChildBotContext extends Context implements TurnState {
  audienceMember: IncomingSender | undefined;

  constructor(
    update: Update,
    telegram: Telegram,
    botInfo: UserFromGetMe,
    readonly turn: ChildBotTurn,
  ) {
    super(update, telegram, botInfo);
  }
}

async function greet(ctx: Context & TurnState): Promise<void> {
  const { update, bot } = ctx.turn;
  if (update.message === undefined || ctx.audienceMember === undefined) return;
  const greeting = isBuiltInGreeting(bot.greeting) ? builtInGreeting(await ctx.turn.senderLocale()) : bot.greeting;
  await say(ctx, greetingReply(greeting, update.message, ctx.audienceMember));
}

function childBotRouter(): Composer<ChildBotContext> {
  const bot = new Composer<ChildBotContext>();
  bot.use((ctx, next) => {
    ctx.audienceMember = audienceMemberOf(ctx.turn.update.message);
    return ctx.audienceMember === undefined ? undefined : next();
  });
  // telegraf's command() takes "/start@name" for this bot only when name is its username (ctx.me).
  bot.command(/^start$/i, greet);
  bot.on('message', Composer.privateChat(greet));
  return bot;
}

const CHILD_BOT_ROUTER = childBotRouter();

/** telegraf's getMe answer, from the bot's row (only the username is read, by command()). */
function childBotInfo(bot: ChildBotView): UserFromGetMe {
  return { id: Number(bot.botId), is_bot: true, first_name: bot.username, username: bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
}

/** Routes one update to a child bot through telegraf: whom to count, and the replies recorded for the outbox. No effects. */
export async function routeChildBotUpdate(turn: ChildBotTurn): Promise<ChildBotDecision> {
  const recorder = ReplyRecorder.answering(turn.update.raw, turn.now);
  const ctx = new ChildBotContext(turn.update.raw, recorder.telegram, childBotInfo(turn.bot), turn);
  await routeUpdate(CHILD_BOT_ROUTER, ctx);
  return { audienceMember: ctx.audienceMember?.id, replies: recorder.replies };
}
