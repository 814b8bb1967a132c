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
 */
import { BUTTONS, buyCommand } from '@nova/bot-service/domain';
import { routingBucket } from '@nova/bus';
import { payLinkIn, type PaymentEmulators } from '@nova/payment-emulators';
import type { EmulatedBot, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import type { PaymentCounts, TrafficCounts } from './snapshot.js';

export type PaymentProviders = PaymentEmulators;

const PLANS = ['bots-30d', 'posting-30d', 'stories-30d'] as const;

const REPLY_TIMEOUT_MS = 180_000;
const FIRST_USER_ID = 61_000;

interface User {
  readonly spec: UserSpec;
  busy: boolean;
  /** Updates this user sent: the turn of a shopper's round. */
  turns: number;
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

  /**
   * `spreadFor`: pick the users so that their chats spread evenly over that context's routing
   * buckets (stage 2 moves chats by bucket), so 5 % of the weight really is some chat and not,
   * by chance, none of twenty.
   */
  constructor(private readonly emulator: TelegramEmulator, private readonly main: EmulatedBot, count: number, private readonly rate: number, spreadFor?: string, private readonly shop?: PaymentProviders) {
    const ids = spreadFor === undefined ? Array.from({ length: count }, (_, i) => FIRST_USER_ID + 1 + i) : spreadIds(spreadFor, count);
    this.users = ids.map((id, i) => ({ spec: { id, first_name: `User${String(i + 1)}` }, busy: false, turns: i }));
  }

  /** Anna starts the main bot and connects her own bot by its token: the child bot the others will talk to. */
  async onboard(): Promise<EmulatedBot> {
    const child = this.emulator.createBot({ username: 'AnnaHelloBot', firstName: 'Anna hello' });
    await this.say(this.main, this.owner, '/start');
    await this.say(this.main, this.owner, BUTTONS.add);
    const connected = await this.say(this.main, this.owner, child.token);
    if (!connected.includes('is connected')) throw new Error(`the main bot did not connect the child bot: "${connected}"`);
    this.child = child;
    return child;
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
    const settled = (): boolean => this.answered >= this.sent && this.told >= this.paid.cryptobot + this.paid.platega;
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  }

  counts(): TrafficCounts {
    let duplicates = 0;
    for (const [key, expected] of this.expectedTo) {
      const [chat, bot] = key.split(':').map(Number);
      duplicates += Math.max(0, this.emulator.messagesTo(chat ?? 0, { botId: bot ?? 0 }).length - expected);
    }
    const refusedDeliveries = this.emulator.deliveries().filter((attempt) => !attempt.delivered).length;
    return { sent: this.sent, answered: this.answered, duplicates, refusedDeliveries, ...(this.shop === undefined ? {} : { payments: this.paymentCounts() }) };
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
      if (user === undefined || user.busy) continue;
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

  /** One update from `from` to `bot`; resolves with the bot's answer text. */
  private async say(bot: EmulatedBot, from: UserSpec, text: string): Promise<string> {
    const key = `${String(from.id)}:${String(bot.id)}`;
    this.expectedTo.set(key, (this.expectedTo.get(key) ?? 0) + 1);
    const reply = this.emulator.nextMessageTo(from.id, { botId: bot.id, timeoutMs: REPLY_TIMEOUT_MS });
    this.sent++;
    this.emulator.userSends(bot.token, { from, text });
    const message = await reply;
    this.answered++;
    return message.text ?? '';
  }
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
