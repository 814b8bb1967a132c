/**
 * Simulated people buying subscriptions from the main bot, as long as the test runs, the way a
 * person does it: `/subscribe` (the plans), a tap on its `/buy_<plan>_<provider>` command or a
 * typed `/buy <plan> <provider>` (a payment link), paying at
 * the provider (here: the emulator's control, as the person's wallet would), waiting for the main
 * bot's "Payment received", then `/billing`. They alternate the providers and the plans.
 *
 * A reply that does not come within the deadline ends that person's loop and is reported; a /buy
 * answered without a link (payments unavailable, a provider down) is recorded as a refusal and
 * the person tries again. Every payment made is recorded with our invoice id (the provider's
 * payload), so the test can count activations and notices per payment from the database and the
 * Telegram emulator's record rather than from here.
 */
import { buyCommand } from '@nova/bot-service/domain';
import { payLinkIn, type PaymentEmulators } from '@nova/payment-emulators';
import type { EmulatedBot, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import { setTimeout as sleep } from 'node:timers/promises';

const PLANS = ['bots-30d', 'posting-30d', 'stories-30d'] as const;
const PROVIDERS = ['cryptobot', 'platega'] as const;

export interface Payment {
  readonly user: number;
  readonly provider: (typeof PROVIDERS)[number];
  /** Our invoice id: the payload we gave the provider. */
  readonly invoiceId: string;
  readonly paidAt: number;
}

export interface Buyer {
  readonly user: UserSpec;
  /** Messages written so far. */
  sent: number;
  /** Payments made (and confirmed by the provider). */
  paid: number;
  /** "Payment received" notices seen by this loop. */
  told: number;
}

export interface BuyerOptions {
  /** Pause between one purchase and the next, drawn from [min, max] ms. */
  readonly thinkMs: readonly [number, number];
  /** How long a person waits for an answer (a reply, or the notice after paying). */
  readonly replyTimeoutMs: number;
}

export class Buyers {
  private stopping = false;
  private readonly loops: Promise<void>[];
  private readonly lost: string[] = [];
  private readonly refused: string[] = [];
  private readonly made: Payment[] = [];
  readonly buyers: readonly Buyer[];

  constructor(
    private readonly telegram: TelegramEmulator,
    private readonly bot: EmulatedBot,
    private readonly providers: PaymentEmulators,
    users: readonly UserSpec[],
    private readonly options: BuyerOptions,
  ) {
    this.buyers = users.map((user) => ({ user, sent: 0, paid: 0, told: 0 }));
    this.loops = this.buyers.map((buyer, index) => this.shop(buyer, index));
  }

  payments(): readonly Payment[] {
    return this.made;
  }

  /** Replies or notices that never came (person, what they waited for, the wait's error). */
  lostReplies(): readonly string[] {
    return this.lost;
  }

  /** /buy answers without a payment link, in the bot's words. */
  refusals(): readonly string[] {
    return this.refused;
  }

  /** Lets every person finish the purchase under way, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async say(buyer: Buyer, text: string): Promise<string> {
    const reply = this.telegram.nextMessageTo(buyer.user.id, { botId: this.bot.id, timeoutMs: this.options.replyTimeoutMs });
    this.telegram.userSends(this.bot.token, { from: buyer.user, text });
    buyer.sent += 1;
    return (await reply).text ?? '';
  }

  private async shop(buyer: Buyer, index: number): Promise<void> {
    await sleep(index * 53);
    let round = index;
    while (!this.stopping) {
      const step = { what: '/subscribe' };
      try {
        const offer = await this.say(buyer, '/subscribe');
        if (!offer.includes('/buy')) this.refused.push(`user ${String(buyer.user.id)} /subscribe: ${offer}`);
        const provider = PROVIDERS[round % PROVIDERS.length] ?? 'cryptobot';
        const plan = PLANS[Math.floor(round / PROVIDERS.length) % PLANS.length] ?? 'bots-30d';
        // Tapped in /subscribe's answer every other pair of rounds, typed otherwise: both ways a person buys, with both providers.
        const tapped = Math.floor(round / PROVIDERS.length) % 2 === 0;
        round += 1;
        step.what = tapped ? buyCommand(plan, provider) : `/buy ${plan} ${provider}`;
        const answer = await this.say(buyer, step.what);
        step.what = `the payment notice after ${step.what}`;
        // Armed before paying: the notice may come before pay() returns.
        const notice = this.telegram.nextMessageTo(buyer.user.id, { botId: this.bot.id, timeoutMs: this.options.replyTimeoutMs });
        notice.catch(() => undefined);
        const invoiceId = payLinkIn(this.providers, answer)?.payload;
        if (invoiceId === undefined) {
          this.refused.push(`user ${String(buyer.user.id)} ${plan} ${provider}: ${answer}`);
        } else {
          this.made.push({ user: buyer.user.id, provider, invoiceId, paidAt: Date.now() });
          buyer.paid += 1;
          const told = (await notice).text ?? '';
          if (told.includes('Payment received')) buyer.told += 1;
          else this.refused.push(`user ${String(buyer.user.id)} expected the payment notice, got: ${told}`);
          step.what = '/billing';
          await this.say(buyer, '/billing');
        }
      } catch (error) {
        this.lost.push(`user ${String(buyer.user.id)}, ${step.what}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      const [min, max] = this.options.thinkMs;
      await sleep(min + Math.random() * (max - min));
    }
  }
}
