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
 */
import { buttons, buyCommand } from '@nova/bot-service/domain';
import { routingBucket } from '@nova/bus';
import { payLinkIn, type PaymentEmulators } from '@nova/payment-emulators';
import type { EmulatedBot, RecordedCall, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import { OWNER_REPORT, PostLedger } from './posts.js';
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

  /**
   * `spreadFor`: pick the users so that their chats spread evenly over that context's routing
   * buckets (stage 2 moves chats by bucket), so 5 % of the weight really is some chat and not,
   * by chance, none of twenty.
   */
  constructor(private readonly emulator: TelegramEmulator, private readonly main: EmulatedBot, count: number, private readonly rate: number, spreadFor?: string, private readonly shop?: PaymentProviders, private readonly publish?: GrantPosting, private readonly scheduleOnly = false) {
    const ids = spreadFor === undefined ? Array.from({ length: count }, (_, i) => FIRST_USER_ID + 1 + i) : spreadIds(spreadFor, count);
    this.users = ids.map((id, i) => ({ spec: { id, first_name: `User${String(i + 1)}` }, busy: false, turns: i }));
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
      // publisher's unrecorded sends), not here: it answers no update.
      const messages = this.emulator.messagesTo(chat ?? 0, { botId: bot ?? 0 }).filter((message) => !OWNER_REPORT.test(message.text ?? ''));
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
    const turn = user.turns++;
    if (this.shop !== undefined) {
      const round = Math.floor(turn / 3);
      if (turn % 3 === 0) await this.say(this.main, user.spec, '/subscribe');
      else if (turn % 3 === 1) await this.buy(this.shop, user.spec, PLANS[round % PLANS.length] ?? 'bots-30d', round % 2 === 0 ? 'cryptobot' : 'platega');
      else await this.say(this.main, user.spec, '/billing');
      return;
    }
    if (this.posts !== undefined && user.channel !== undefined) {
      await this.post(user, user.channel, this.posts, turn);
      return;
    }
    const toMain = this.sent % 5 === 4;
    await this.say(toMain ? this.main : child, user.spec, toMain ? '/start' : `hi #${String(this.sent)}`);
  }

  /** /buy, then pay behind the link and wait for the main bot's notice. */
  private async buy(shop: PaymentProviders, from: UserSpec, plan: string, provider: 'cryptobot' | 'platega'): Promise<void> {
    // As a person does it: a tap on the purchase command /subscribe listed.
    const answer = await this.say(this.main, from, buyCommand(plan, provider));
    const key = `${String(from.id)}:${String(this.main.id)}`;
    const notice = this.emulator.nextMessageTo(from.id, { botId: this.main.id, timeoutMs: REPLY_TIMEOUT_MS });
    notice.catch(() => undefined);
    const paid = payLinkIn(shop, answer);
    if (paid === undefined) {
      this.unpaid++;
      return;
    }
    this.expectedTo.set(key, (this.expectedTo.get(key) ?? 0) + 1);
    this.paid[paid.provider]++;
    if ((await notice).text?.includes('Payment received') === true) this.told++;
  }

  /** A post to the user's channel: two now, then one scheduled a minute ahead (stage 6: each one scheduled). */
  private async post(user: User, channel: NonNullable<User['channel']>, posts: PostLedger, turn: number): Promise<void> {
    const scheduled = this.scheduleOnly || turn % 3 === 2;
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
    const answer = (call: RecordedCall): boolean => call.ok && call.method === 'sendMessage' && call.botId === bot.id && Number(call.params.chat_id) === from.id && !OWNER_REPORT.test(String(call.params.text));
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

/** `count` user ids whose buckets for `context` are 0, 100/count, 2·100/count, …: an even spread. */
/** The texts said more than once to one chat, each cut to a line: what a person would see twice. */
export function describeRepeated(texts: readonly string[]): string {
  const seen = new Map<string, number>();
  for (const text of texts) seen.set(text, (seen.get(text) ?? 0) + 1);
  const repeated = [...seen].filter(([, times]) => times > 1).map(([text, times]) => `"${(text.split('\n')[0] ?? '').slice(0, 60)}" ×${String(times)}`);
  return repeated.length > 0 ? repeated.join(', ') : 'no text repeated (one reply more than updates sent)';
}

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
