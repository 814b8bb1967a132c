/**
 * Simulated Telegram users for the chaos run: `chats` people, each talking to one of the child
 * bots (their greeting) and now and then to the main bot (/start), each waiting for the answer
 * before writing again, at a steady `rate` in all. Every update's send time and reply time are
 * kept; the final accounting reads the emulator's own record (what Telegram would know).
 */
import { buttons } from '@nova/bot-service/domain';
import type { DeliveryAttempt, EmulatedBot, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import type { SentCall } from './replies.js';

const FIRST_OWNER_ID = 80_000;
const FIRST_USER_ID = 81_000;

interface Person {
  readonly spec: UserSpec;
  readonly bot: EmulatedBot;
  busy: boolean;
}

export interface TrafficCounts {
  readonly sent: number;
  /** Updates Telegram delivered (some delivery attempt answered 2xx). */
  readonly accepted: number;
  /** Chat by chat, replies up to the updates sent there. */
  readonly answered: number;
  /** Accepted and never answered, chat by chat. */
  readonly lost: number;
  /** Replies beyond one per update, chat by chat. */
  readonly duplicates: number;
  /** Delivery attempts answered with a 5xx, and how many of those updates a later retry delivered. */
  readonly answered5xx: number;
  readonly delivered5xxLater: number;
  /** Updates whose every attempt failed so far (still pending at Telegram). */
  readonly undelivered: number;
}

/** A chat that got more replies than it sent updates (replies.ts says which update each repeat answered). */
export interface DuplicateChat {
  readonly chat: number;
  readonly bot: number;
  readonly extra: number;
}

/** One update a person sent, and their chat (person:bot). */
export interface SentUpdate {
  readonly botId: number;
  readonly updateId: number;
  readonly chat: string;
}

/** What Telegram's delivery attempts say about the updates sent. */
export interface DeliveryFigures {
  /** Updates some attempt delivered (answered 2xx). */
  readonly accepted: number;
  /** The same, chat by chat. */
  readonly acceptedIn: ReadonlyMap<string, number>;
  readonly answered5xx: number;
  readonly delivered5xxLater: number;
}

/**
 * An update's identity: its bot and its update_id. Telegram numbers updates per bot (the emulator
 * starts each bot at a random id, 100,000-900,000), so two bots' ids can meet; keyed by update_id
 * alone, a seed-7 run whose two child bots' ranges overlapped by 147 ids counted those 147 as never
 * delivered (and a chat's accepted updates could be credited to another chat).
 */
function updateKey(botId: number, updateId: number): string {
  return `${String(botId)}:${String(updateId)}`;
}

/** Counts the delivery attempts of the updates sent (attempts of other updates are left out). */
export function deliveryFigures(sent: readonly SentUpdate[], allAttempts: readonly DeliveryAttempt[]): DeliveryFigures {
  const chatOf = new Map(sent.map((update) => [updateKey(update.botId, update.updateId), update.chat]));
  const attempts = allAttempts.filter((attempt) => chatOf.has(updateKey(attempt.botId, attempt.updateId)));
  const delivered = new Set(attempts.filter((attempt) => attempt.delivered).map((attempt) => updateKey(attempt.botId, attempt.updateId)));
  const acceptedIn = new Map<string, number>();
  for (const id of delivered) {
    const key = chatOf.get(id) ?? '';
    acceptedIn.set(key, (acceptedIn.get(key) ?? 0) + 1);
  }
  const with5xx = attempts.filter((attempt) => (attempt.status ?? 0) >= 500);
  const updatesWith5xx = new Set(with5xx.map((attempt) => updateKey(attempt.botId, attempt.updateId)));
  return {
    accepted: delivered.size,
    acceptedIn,
    answered5xx: with5xx.length,
    delivered5xxLater: [...updatesWith5xx].filter((id) => delivered.has(id)).length,
  };
}

/** Connects `bots` child bots (each by its own owner, through the main bot) and returns them. */
export async function onboardChildBots(emulator: TelegramEmulator, main: EmulatedBot, bots: number): Promise<EmulatedBot[]> {
  const children: EmulatedBot[] = [];
  for (let i = 0; i < bots; i++) {
    const owner: UserSpec = { id: FIRST_OWNER_ID + i, first_name: `Owner${String(i + 1)}` };
    const child = emulator.createBot({ username: `chaos${String(i + 1)}_bot`, firstName: `Chaos ${String(i + 1)}` });
    await say(emulator, main, owner, '/start');
    await say(emulator, main, owner, buttons('en').add); // owners without a language_code: English
    const connected = await say(emulator, main, owner, child.token);
    if (!connected.includes('is connected')) throw new Error(`the main bot did not connect ${child.username}: "${connected}"`);
    children.push(child);
  }
  return children;
}

async function say(emulator: TelegramEmulator, bot: EmulatedBot, from: UserSpec, text: string): Promise<string> {
  const reply = emulator.nextMessageTo(from.id, { botId: bot.id, timeoutMs: 120_000 });
  emulator.userSends(bot.token, { from, text });
  return (await reply).text ?? '';
}

/** p50 and p99 of a list of milliseconds (0 when empty). */
export function percentiles(values: readonly number[]): { p50: number; p99: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}

export class ChaosTraffic {
  private readonly people: Person[];
  private readonly sentTo = new Map<string, number>();
  private readonly sentUpdates: SentUpdate[] = [];
  private sent = 0;
  private next = 0;
  private latencies: number[] = [];

  constructor(private readonly emulator: TelegramEmulator, private readonly main: EmulatedBot, children: readonly EmulatedBot[], chats: number, private readonly replyTimeoutMs: number) {
    this.people = Array.from({ length: chats }, (_, i) => ({
      spec: { id: FIRST_USER_ID + i, first_name: `User${String(i + 1)}` },
      // Every fifth person talks to the main bot, the others to a child bot each.
      bot: i % 5 === 4 ? main : (children[i % children.length] ?? main),
      busy: false,
    }));
  }

  /** Sends `count` updates at `rate` per second (a person still waiting for an answer is skipped). */
  async run(count: number, rate: number, deadlineMs: number): Promise<void> {
    const everyMs = 1000 / rate;
    const start = Date.now();
    let target = 0;
    while (target < count && Date.now() < deadlineMs) {
      // Steady: as many updates as the clock says by now, not one per timer tick.
      const due = Math.min(count, Math.floor((Date.now() - start) / everyMs) + 1);
      while (target < due && this.sendOne()) target++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(5, everyMs)));
    }
  }

  /** Takes the latencies gathered since the last call (update → reply, ms). */
  takeLatencies(): number[] {
    const taken = this.latencies;
    this.latencies = [];
    return taken;
  }

  /** Waits until every person has an answer or the deadline passed. */
  async drain(deadlineMs: number): Promise<void> {
    while (this.people.some((person) => person.busy) && Date.now() < deadlineMs) await new Promise((resolve) => setTimeout(resolve, 250));
  }

  private sendOne(): boolean {
    for (let tried = 0; tried < this.people.length; tried++) {
      const person = this.people[this.next];
      this.next = (this.next + 1) % this.people.length;
      if (person === undefined || person.busy) continue;
      person.busy = true;
      const key = `${String(person.spec.id)}:${String(person.bot.id)}`;
      this.sentTo.set(key, (this.sentTo.get(key) ?? 0) + 1);
      this.sent++;
      const sentAt = Date.now();
      const reply = this.emulator.nextMessageTo(person.spec.id, { botId: person.bot.id, timeoutMs: this.replyTimeoutMs });
      const update = this.emulator.userSends(person.bot.token, { from: person.spec, text: person.bot.id === this.main.id ? '/start' : `hi #${String(this.sent)}` });
      this.sentUpdates.push({ botId: person.bot.id, updateId: update.update_id, chat: key });
      reply.then(() => { this.latencies.push(Date.now() - sentAt); }, () => undefined).finally(() => { person.busy = false; });
      return true;
    }
    return false;
  }

  /** The chats with duplicate replies found by the last counts(). */
  readonly duplicateChats: DuplicateChat[] = [];

  /** Every sendMessage Telegram took from the run's bots, for replies.ts. */
  sentCalls(): SentCall[] {
    return this.emulator.calls((call) => call.ok && call.method === 'sendMessage').map((call) => ({
      chatId: Number(call.params.chat_id), botId: call.botId ?? 0, text: String(call.params.text), at: call.at,
    }));
  }

  counts(): TrafficCounts {
    this.duplicateChats.length = 0;
    const { accepted, acceptedIn, answered5xx, delivered5xxLater } = deliveryFigures(this.sentUpdates, this.emulator.deliveries());
    let answered = 0;
    let lost = 0;
    let duplicates = 0;
    for (const [key, expected] of this.sentTo) {
      const [chat, bot] = key.split(':').map(Number);
      const got = this.emulator.messagesTo(chat ?? 0, { botId: bot ?? 0 }).length;
      answered += Math.min(got, expected);
      lost += Math.max(0, (acceptedIn.get(key) ?? 0) - got);
      duplicates += Math.max(0, got - expected);
      if (got > expected) {
        this.duplicateChats.push({ chat: chat ?? 0, bot: bot ?? 0, extra: got - expected });
      }
    }
    return { sent: this.sent, accepted, answered, lost, duplicates, answered5xx, delivered5xxLater, undelivered: this.sent - accepted };
  }
}
