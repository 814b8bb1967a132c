/**
 * The simulated users: real Telegram updates from the emulator, delivered as Telegram does (one
 * at a time per bot, retried until a 2xx), through the ingress to whichever side the split picks.
 * Each user waits for the bot's answer before writing again, so "answered" counts updates that
 * went all the way through (webhook → stream → handler → Telegram call), and a lost update shows
 * as a user still waiting at the end.
 *
 * Stage 5 (`shop`): the users buy subscriptions from the main bot instead, in turns of three
 * updates: `/subscribe`, a tap on one of its purchase commands (`/buy_bots_30d_cryptobot`; both
 * providers in turn), paying at the provider
 * behind the link (the emulator's control, as a wallet would) and waiting for the main bot's
 * "Payment received", then `/billing`. The notice is the one message per payment beyond the
 * replies: expected, so not a duplicate; one that never comes is a payment lost.
 *
 * Stage 4 (`publish`): each user is a channel owner: connects a bot of their own (`/newbot`, its
 * token), makes it an administrator of a channel (in the emulator, as they would in Telegram),
 * gets posting granted by an administrator and `/link`s the channel; then posts to it, two posts
 * now for one scheduled a minute ahead (`/post all in 1m`). The owner's report after each post is
 * the one message per post beyond the replies (expected, not a duplicate); posts.ts counts what
 * reached the channels. Stage 6 (`scheduleOnly`): every post is scheduled a minute ahead, the
 * schedulers' work that moves.
 *
 * The whole plan (`mixed`): every user owns a channel and has a shop; each does every kind of
 * activity (talk, connect another bot, post now, schedule a post, a shopping round), three turns
 * in four the `focus` the demo sets for the stage now moving (its analysis needs that context's
 * traffic at a 5 % weight) and every fourth turn the next kind in turn, so every context keeps
 * seeing its kind of work throughout. The first users are canaries: for each context the plan
 * moves on the bus, two of them sit in its lowest routing buckets (canaryIds), so 5 % of any
 * context's weight is really some chats.
 */
import { buttons, buyCommand } from '@nova/bot-service/domain';
import { routingBucket } from '@nova/bus';
import { payLinkIn, type PaymentEmulators } from '@nova/payment-emulators';
import type { EmulatedBot, RecordedCall, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import { OWNER_REPORT, PostLedger } from './posts.js';
import { isReminder } from './reminders.js';
import type { PaymentCounts, TrafficCounts } from './snapshot.js';

/** Grants an owner posting (an administrator's svc.publisher.grant_posting): no payment in stage 4's demo. */
export type GrantPosting = (telegramId: number) => Promise<void>;

/**
 * An owner posts at most this often: Telegram takes 20 messages a minute in a channel and one a
 * second in the owner's chat (the answer and the report), and the client paces to that, so a
 * faster owner would measure the pacing's queue rather than the stage.
 */
const POST_GAP_MS = 4_000;

/** The main bot's answer to /post: going out now, or scheduled; the post's number. */
const POST_ANSWER = /^📣 Post #(\d+) (?:went out|is going out)|^🕒 Post #(\d+) is scheduled/u;

export type PaymentProviders = PaymentEmulators;

const PLANS = ['bots-30d', 'posting-30d', 'stories-30d'] as const;

/** What a user of the whole plan does with a turn (docs/demo.md, "The whole plan"). */
export type Activity = 'talk' | 'post' | 'schedule' | 'shop';

/** Every fourth turn of a whole-plan user, in turn: every kind of work, whatever the focus. */
const BACKGROUND: readonly (Activity | 'newbot')[] = ['talk', 'schedule', 'shop', 'post', 'newbot'];
/** Bots a whole-plan user connects beyond their first: within the free plan's three (FREE_CHILD_BOTS). */
const EXTRA_BOTS = 2;
/** Canaries per context in its lowest buckets (under the stages' first weight, 5 %). */
const CANARIES_PER_CONTEXT = 2;

const REPLY_TIMEOUT_MS = 180_000;
const FIRST_USER_ID = 61_000;
/** A duplicate reply is named in the report (chat:bot, how many, which text) for the first few. */
const MAX_DUPLICATES_SHOWN = 5;

interface User {
  readonly spec: UserSpec;
  busy: boolean;
  /** Updates this user sent: the turn of a shopper's round. */
  turns: number;
  /** Stage 4: the user's own bot and the channel it posts to. */
  channel?: { readonly bot: EmulatedBot; readonly chat: number };
  /** Stage 4: not before this moment (ms) the next post. */
  readyAt?: number;
  /** The whole plan: the next turn of a shopping round under way (1: buy, 2: /billing), and rounds begun. */
  shopTurn?: 1 | 2;
  rounds: number;
  /** The whole plan: bots connected beyond the first. */
  extraBots: number;
  /** The whole plan: the kind of the subscription seeded for this user (reminders.ts), which they do not buy in the run. */
  holds?: string;
}

export class SimulatedUsers {
  private readonly users: User[];
  /** Messages each chat (user:bot) should get: one reply per update, one notice per payment. */
  private readonly expectedTo = new Map<string, number>();
  private sent = 0;
  private answered = 0;
  private readonly paid = { cryptobot: 0, platega: 0 };
  private told = 0;
  private unpaid = 0;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private readonly owner: UserSpec = { id: FIRST_USER_ID, first_name: 'Anna', username: 'anna' };
  private child: EmulatedBot | undefined;
  private readonly posts: PostLedger | undefined;
  /** The whole plan: what three turns in four are, in turn (focusOn). */
  private focus: readonly Activity[] = ['talk'];

  /**
   * `spreadFor`: pick the users so that their chats spread evenly over that context's routing
   * buckets (stage 2 moves chats by bucket), so 5 % of the weight really is some chat and not,
   * by chance, none of twenty.
   */
  /** `mixed`: the whole plan's users (every activity; `spreadFor` an array of the contexts to place canaries for). */
  constructor(private readonly emulator: TelegramEmulator, private readonly main: EmulatedBot, count: number, private readonly rate: number, spreadFor?: string | readonly string[], private readonly shop?: PaymentProviders, private readonly publish?: GrantPosting, private readonly scheduleOnly = false, private readonly mixed = false) {
    const ids = spreadFor === undefined ? Array.from({ length: count }, (_, i) => FIRST_USER_ID + 1 + i) : typeof spreadFor === 'string' ? spreadIds(spreadFor, count) : canaryIds(spreadFor, count, CANARIES_PER_CONTEXT);
    this.users = ids.map((id, i) => ({ spec: { id, first_name: `User${String(i + 1)}` }, busy: false, turns: i, rounds: 0, extraBots: 0 }));
    this.posts = publish === undefined ? undefined : new PostLedger(emulator, main.id);
  }

  /** Anna starts the main bot and connects her own bot by its token: the child bot the others will talk to. */
  async onboard(): Promise<EmulatedBot> {
    const child = this.emulator.createBot({ username: 'AnnaHelloBot', firstName: 'Anna hello' });
    await this.say(this.main, this.owner, '/start');
    await this.say(this.main, this.owner, buttons('en').add);
    const connected = await this.say(this.main, this.owner, child.token);
    if (!connected.includes('is connected')) throw new Error(`the main bot did not connect the child bot: "${connected}"`);
    if (this.publish !== undefined) await Promise.all(this.users.map((user) => this.ownChannel(user, this.publish as GrantPosting)));
    this.child = child;
    return child;
  }

  /** Stage 4: the user connects a bot of their own, makes it an administrator of a channel, and links it. */
  private async ownChannel(user: User, grant: GrantPosting): Promise<void> {
    const username = `owner${String(user.spec.id)}_bot`;
    const bot = this.emulator.createBot({ username, firstName: `${user.spec.first_name}'s bot` });
    await grant(user.spec.id);
    await this.say(this.main, user.spec, '/newbot');
    const connected = await this.say(this.main, user.spec, bot.token);
    if (!connected.includes('is connected')) throw new Error(`the main bot did not connect ${user.spec.first_name}'s bot: "${connected}"`);
    const chat = -(1_000_000_000_000 + user.spec.id);
    this.emulator.joinChat(bot.id, { id: chat, type: 'channel', title: `${user.spec.first_name}'s channel` }, { status: 'administrator', canPostMessages: true });
    const linked = await this.say(this.main, user.spec, `/link @${username} ${String(chat)}`);
    if (!linked.startsWith('✅')) throw new Error(`${user.spec.first_name}'s channel was not linked: "${linked}"`);
    user.channel = { bot, chat };
  }

  /** The whole plan: what most turns are from now on (the stage now moving needs its context's traffic). */
  focusOn(activities: readonly Activity[]): void {
    this.focus = activities.length === 0 ? ['talk'] : activities;
  }

  /** Starts writing at `rate` updates per second in all, spread over the users; each waits for its answer. */
  start(): void {
    const everyMs = 1000 / this.rate;
    this.timer = setInterval(() => { this.tick(); }, everyMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits until every update sent was answered and every payment announced, or the deadline passed. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const published = (): boolean => {
      const posts = this.posts?.counts();
      return posts === undefined || (posts.published >= posts.created && posts.reported >= posts.created);
    };
    const settled = (): boolean => this.answered >= this.sent && this.told >= this.paid.cryptobot + this.paid.platega && published();
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  }

  /** The simulated users' Telegram ids (Anna, who only connects her bot, aside). */
  ids(): number[] {
    return this.users.map((user) => user.spec.id);
  }

  /**
   * The whole plan: these users start with a subscription of this kind (seeded, reminders.ts) and
   * do not buy that kind in the run: a purchase would renew it, and a renewed subscription is owed
   * no reminder.
   */
  holdSubscriptions(held: readonly { readonly telegramId: number; readonly kind: string }[]): void {
    for (const { telegramId, kind } of held) {
      const user = this.users.find((each) => each.spec.id === telegramId);
      if (user !== undefined) user.holds = kind;
    }
  }

  /** Who the admins of stage 8 can look up: Anna and the users, as the platform knows them. */
  people(): { id: number; name: string }[] {
    return [this.owner, ...this.users.map((user) => user.spec)].map((spec) => ({ id: spec.id, name: spec.first_name }));
  }

  counts(): TrafficCounts {
    let duplicates = 0;
    const duplicated: string[] = [];
    for (const [key, expected] of this.expectedTo) {
      const [chat, bot] = key.split(':').map(Number);
      // An owner's report of a post is counted by the post ledger (posts.doubled, bounded by the
      // publisher's unrecorded sends), and a subscription reminder by the whole plan's reminder
      // count (reminders.ts), not here: neither answers an update.
      const messages = this.emulator.messagesTo(chat ?? 0, { botId: bot ?? 0 }).filter((message) => !OWNER_REPORT.test(message.text ?? '') && !isReminder(message.text ?? ''));
      const extra = messages.length - expected;
      if (extra <= 0) continue;
      duplicates += extra;
      if (duplicated.length < MAX_DUPLICATES_SHOWN) duplicated.push(`${key} ×${String(extra)}: ${describeRepeated(messages.map((message) => message.text ?? ''))}`);
    }
    const refusedDeliveries = this.emulator.deliveries().filter((attempt) => !attempt.delivered).length;
    return {
      sent: this.sent, answered: this.answered, duplicates, duplicated, refusedDeliveries,
      ...(this.shop === undefined ? {} : { payments: this.paymentCounts() }),
      ...(this.posts === undefined ? {} : { posts: this.posts.counts() }),
    };
  }

  private paymentCounts(): PaymentCounts {
    return { cryptobot: this.paid.cryptobot, platega: this.paid.platega, announced: this.told, withoutLink: this.unpaid };
  }

  private tick(): void {
    const child = this.child;
    if (child === undefined) return;
    for (let tried = 0; tried < this.users.length; tried++) {
      const user = this.users[this.next];
      this.next = (this.next + 1) % this.users.length;
      if (user === undefined || user.busy || (user.readyAt ?? 0) > Date.now()) continue;
      user.busy = true;
      void this.nextUpdate(user, child)
        .catch(() => undefined)
        .finally(() => { user.busy = false; });
      return;
    }
  }

  /** The user's next update: a shopper's turn of its round, or else mostly the child bot (its greeting), now and then the main bot's /start. */
  private async nextUpdate(user: User, child: EmulatedBot): Promise<void> {
    if (this.mixed) {
      await this.mixedTurn(user, child);
      return;
    }
    const turn = user.turns++;
    if (this.shop !== undefined) {
      const round = Math.floor(turn / 3);
      if (turn % 3 === 0) await this.say(this.main, user.spec, '/subscribe');
      else if (turn % 3 === 1) await this.buy(this.shop, user.spec, PLANS[round % PLANS.length] ?? 'bots-30d', round % 2 === 0 ? 'cryptobot' : 'platega');
      else await this.say(this.main, user.spec, '/billing');
      return;
    }
    if (this.posts !== undefined && user.channel !== undefined) {
      await this.post(user, user.channel, this.posts, turn, this.scheduleOnly || turn % 3 === 2);
      return;
    }
    const toMain = this.sent % 5 === 4;
    await this.say(toMain ? this.main : child, user.spec, toMain ? '/start' : `hi #${String(this.sent)}`);
  }

  /** A whole-plan user's turn: a shopping round under way goes on; else the focus, or every fourth turn the next background kind. */
  private async mixedTurn(user: User, child: EmulatedBot): Promise<void> {
    const shop = this.shop;
    if (shop !== undefined && user.shopTurn !== undefined) {
      const turn = user.shopTurn;
      user.shopTurn = turn === 1 ? 2 : undefined;
      if (turn === 1) await this.buy(shop, user.spec, planFor(user.rounds, user.holds), user.rounds % 2 === 0 ? 'cryptobot' : 'platega');
      else await this.say(this.main, user.spec, '/billing');
      return;
    }
    const turn = user.turns++;
    const kind = turn % 4 === 3 ? BACKGROUND[Math.floor(turn / 4) % BACKGROUND.length] ?? 'talk' : this.focus[turn % this.focus.length] ?? 'talk';
    if (kind === 'shop' && shop !== undefined) {
      user.rounds++;
      user.shopTurn = 1;
      await this.say(this.main, user.spec, '/subscribe');
    } else if ((kind === 'post' || kind === 'schedule') && this.posts !== undefined && user.channel !== undefined) {
      await this.post(user, user.channel, this.posts, turn, kind === 'schedule');
    } else if (kind === 'newbot' && user.extraBots < EXTRA_BOTS) {
      user.extraBots++;
      const bot = this.emulator.createBot({ username: `owner${String(user.spec.id)}_${String(user.extraBots)}_bot`, firstName: `${user.spec.first_name}'s bot ${String(user.extraBots + 1)}` });
      await this.say(this.main, user.spec, '/newbot');
      await this.say(this.main, user.spec, bot.token);
    } else {
      const toMain = this.sent % 5 === 4;
      await this.say(toMain ? this.main : child, user.spec, toMain ? '/start' : `hi #${String(this.sent)}`);
    }
  }

  /** /buy, then pay behind the link and wait for the main bot's notice. */
  private async buy(shop: PaymentProviders, from: UserSpec, plan: string, provider: 'cryptobot' | 'platega'): Promise<void> {
    // As a person does it: a tap on the purchase command /subscribe listed.
    const answer = await this.say(this.main, from, buyCommand(plan, provider));
    const key = `${String(from.id)}:${String(this.main.id)}`;
    // An owner (the whole plan) also gets post reports from the main bot at any moment: the notice is the payment's text.
    const notice = this.posts === undefined
      ? this.emulator.nextMessageTo(from.id, { botId: this.main.id, timeoutMs: REPLY_TIMEOUT_MS }).then((message) => message.text)
      : this.emulator.waitForCall((call) => call.ok && call.method === 'sendMessage' && call.botId === this.main.id && Number(call.params.chat_id) === from.id && String(call.params.text).includes('Payment received'), { timeoutMs: REPLY_TIMEOUT_MS }).then((call) => String(call.params.text));
    notice.catch(() => undefined);
    const paid = payLinkIn(shop, answer);
    if (paid === undefined) {
      this.unpaid++;
      return;
    }
    this.expectedTo.set(key, (this.expectedTo.get(key) ?? 0) + 1);
    this.paid[paid.provider]++;
    if ((await notice)?.includes('Payment received') === true) this.told++;
  }

  /** A post to the user's channel: two now, then one scheduled a minute ahead (stage 6: each one scheduled). */
  private async post(user: User, channel: NonNullable<User['channel']>, posts: PostLedger, turn: number, scheduled: boolean): Promise<void> {
    const text = `post ${String(user.spec.id)}-${String(turn)}`;
    const answer = await this.say(this.main, user.spec, `/post all${scheduled ? ' in 1m' : ''}\n${text}`);
    user.readyAt = Date.now() + POST_GAP_MS;
    const match = POST_ANSWER.exec(answer);
    const id = match?.[1] ?? match?.[2];
    if (id === undefined) return;
    // The owner's report ("Post #N published …") is the ledger's to count, once per post.
    posts.add(id, { text, owner: user.spec.id, channel: channel.chat, botId: channel.bot.id, scheduled });
  }

  /** One update from `from` to `bot`; resolves with the bot's answer text (an owner's report is not an answer). */
  private async say(bot: EmulatedBot, from: UserSpec, text: string): Promise<string> {
    const key = `${String(from.id)}:${String(bot.id)}`;
    this.expectedTo.set(key, (this.expectedTo.get(key) ?? 0) + 1);
    // A reminder from the main bot can come while the user waits for an answer: it is not the answer.
    const answer = (call: RecordedCall): boolean => call.ok && call.method === 'sendMessage' && call.botId === bot.id && Number(call.params.chat_id) === from.id && !OWNER_REPORT.test(String(call.params.text)) && !isReminder(String(call.params.text));
    const reply = this.posts === undefined
      ? this.emulator.nextMessageTo(from.id, { botId: bot.id, timeoutMs: REPLY_TIMEOUT_MS }).then((message) => message.text ?? '')
      : this.emulator.waitForCall(answer, { timeoutMs: REPLY_TIMEOUT_MS }).then((call) => String(call.params.text));
    this.sent++;
    this.emulator.userSends(bot.token, { from, text });
    const said = await reply;
    this.answered++;
    return said;
  }
}

/** A whole-plan user's plan for shopping round `round`: the plans in turn, but never the kind they hold (`holds`). */
export function planFor(round: number, holds?: string): string {
  for (let next = 0; next < PLANS.length; next++) {
    const plan = PLANS[(round + next) % PLANS.length] ?? 'bots-30d';
    if (!plan.startsWith(`${holds ?? ''}-`)) return plan;
  }
  return 'bots-30d';
}

/** The texts said more than once to one chat, each cut to a line: what a person would see twice. */
export function describeRepeated(texts: readonly string[]): string {
  const seen = new Map<string, number>();
  for (const text of texts) seen.set(text, (seen.get(text) ?? 0) + 1);
  const repeated = [...seen].filter(([, times]) => times > 1).map(([text, times]) => `"${(text.split('\n')[0] ?? '').slice(0, 60)}" ×${String(times)}`);
  return repeated.length > 0 ? repeated.join(', ') : 'no text repeated (one reply more than updates sent)';
}

/**
 * The whole plan's users: for each context in turn, `perContext` ids in its buckets below 5 (the
 * stages' first weight), the first at bucket 0; then consecutive ids (spread by chance). Every
 * context's 5 % is then at least `perContext` chats, whichever stage moves.
 */
export function canaryIds(contexts: readonly string[], count: number, perContext: number): number[] {
  const ids: number[] = [];
  const taken = new Set<number>();
  let candidate = FIRST_USER_ID + 1;
  for (const context of contexts) {
    for (let i = 0; i < perContext && ids.length < count; i++) {
      const highest = i === 0 ? 0 : 4;
      let id = FIRST_USER_ID + 1;
      // Bounded: one id in a hundred lands in bucket 0, so a few thousand candidates are plenty.
      for (let tries = 0; tries < 100_000 && (taken.has(id) || routingBucket(context, String(id)) > highest); tries++) id++;
      taken.add(id);
      ids.push(id);
    }
  }
  while (ids.length < count) {
    if (!taken.has(candidate)) ids.push(candidate);
    taken.add(candidate++);
  }
  return ids;
}

/** `count` user ids whose buckets for `context` are 0, 100/count, 2·100/count, …: an even spread. */
function spreadIds(context: string, count: number): number[] {
  const ids: number[] = [];
  let candidate = FIRST_USER_ID + 1;
  for (let i = 0; i < count; i++) {
    const bucket = Math.floor((i * 100) / count);
    while (routingBucket(context, String(candidate)) !== bucket) candidate++;
    ids.push(candidate++);
  }
  return ids;
}
