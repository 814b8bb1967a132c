/**
 * Simulated people talking to the main bot through the Telegram emulator, as long as the test
 * runs: each writes, waits for the bot's answer, pauses a little (so Telegram's per-chat pace of
 * about one message a second is kept), and writes again. A reply that does not come within the
 * deadline ends that person's conversation and is reported; the exactly-once count is made from
 * the emulator's record at the end, not from here.
 */
import type { EmulatedBot, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import { setTimeout as sleep } from 'node:timers/promises';

const TEXTS = ['/start', '/help', 'hello', '/list'] as const;

export interface Person {
  readonly user: UserSpec;
  /** Messages written so far. */
  sent: number;
  /** Those answered (the next bot message to the chat arrived). */
  answered: number;
}

export interface ConversationOptions {
  /** Pause between an answer and the next message, drawn from [min, max] ms. */
  readonly thinkMs: readonly [number, number];
  /** How long a person waits for an answer before giving up (it then counts as lost). */
  readonly replyTimeoutMs: number;
}

export class Conversations {
  private stopping = false;
  private readonly loops: Promise<void>[];
  private readonly lost: string[] = [];
  readonly people: readonly Person[];

  constructor(private readonly emulator: TelegramEmulator, private readonly bot: EmulatedBot, users: readonly UserSpec[], private readonly options: ConversationOptions) {
    this.people = users.map((user) => ({ user, sent: 0, answered: 0 }));
    this.loops = this.people.map((person, index) => this.talk(person, index));
  }

  /** Every message written so far. */
  sent(): number {
    return this.people.reduce((sum, person) => sum + person.sent, 0);
  }

  /** Replies that never came (person, message number, the wait's error). */
  lostReplies(): readonly string[] {
    return this.lost;
  }

  /** Lets every person finish the exchange under way, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async talk(person: Person, index: number): Promise<void> {
    // Staggered starts: not every person writes in the same millisecond.
    await sleep(index * 37);
    while (!this.stopping) {
      const text = TEXTS[person.sent % TEXTS.length] ?? '/start';
      const reply = this.emulator.nextMessageTo(person.user.id, { botId: this.bot.id, timeoutMs: this.options.replyTimeoutMs });
      this.emulator.userSends(this.bot.token, { from: person.user, text });
      person.sent += 1;
      try {
        await reply;
        person.answered += 1;
      } catch (error) {
        this.lost.push(`user ${String(person.user.id)}, message ${String(person.sent)} (${text}): ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      const [min, max] = this.options.thinkMs;
      await sleep(min + Math.random() * (max - min));
    }
  }
}
