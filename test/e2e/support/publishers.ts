/**
 * Simulated channel owners, as long as the test runs, doing what a person does with the main bot
 * (through the Telegram emulator, so every message goes webhook → stream → bots context →
 * svc.publisher.*): connect a bot of their own (`/newbot`, then its token), make it an
 * administrator of two channels (the emulator's `joinChat`, as the person would in Telegram),
 * `/link` both, then write posts to all their channels, two published now for every one scheduled
 * a minute ahead (`/post all in 1m`).
 *
 * Each post's text is unique (`post <owner>-<n>`), so the test can count it in every channel and
 * in the database. A person waits for the main bot's answer to each command (the owner's report,
 * "Post #N published in …", is a separate message and is counted by the test from the emulator's
 * record); an answer that does not come within the deadline ends that person's loop and is
 * reported; an answer that is not a post going out or scheduled is recorded as a refusal.
 */
import type { EmulatedBot, RecordedCall, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';
import { setTimeout as sleep } from 'node:timers/promises';

/** The owner's report, not an answer to a command (docs/publisher.md, "the owner's report"). */
export const REPORT = /^Post #(\d+) published in (\d+) of (\d+) channels\./u;
const ANSWERED = /^📣 Post #(\d+) (went out|is going out)|^🕒 Post #(\d+) is scheduled/u;

export interface Owner {
  readonly user: UserSpec;
  bot?: EmulatedBot;
  readonly channels: number[];
  /** Posts this person was told are out or scheduled: post id → text. */
  readonly posts: Map<string, string>;
  /** Posts written so far (answered or not). */
  written: number;
}

export interface PublisherOptions {
  /** Pause between one post and the next, drawn from [min, max] ms. */
  readonly thinkMs: readonly [number, number];
  /** How long a person waits for the main bot's answer. */
  readonly replyTimeoutMs: number;
}

export function postText(owner: number, n: number): string {
  return `post ${String(owner)}-${String(n)}`;
}

/** A main-bot sendMessage to `chat` that is not the owner's report. */
function answerTo(mainBotId: number, chat: number): (call: RecordedCall) => boolean {
  return (call) => call.ok && call.method === 'sendMessage' && call.botId === mainBotId && Number(call.params.chat_id) === chat && !REPORT.test(String(call.params.text));
}

export class Publishers {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly lost: string[] = [];
  private readonly refused: string[] = [];
  readonly owners: readonly Owner[];

  constructor(private readonly telegram: TelegramEmulator, private readonly main: EmulatedBot, users: readonly UserSpec[], private readonly options: PublisherOptions) {
    this.owners = users.map((user) => ({ user, channels: [], posts: new Map(), written: 0 }));
  }

  /**
   * Each person connects a bot and links two channels (in parallel across people); throws with
   * the main bot's words if one is not linked.
   */
  async onboard(): Promise<void> {
    await Promise.all(this.owners.map(async (owner) => {
      const username = `owner${String(owner.user.id)}_bot`;
      const bot = this.telegram.createBot({ username, firstName: `${owner.user.first_name}'s bot` });
      await this.say(owner, '/newbot');
      const connected = await this.say(owner, bot.token);
      if (!connected.includes('is connected')) throw new Error(`user ${String(owner.user.id)}: the main bot did not connect the bot: "${connected}"`);
      owner.bot = bot;
      for (const k of [1, 2]) {
        const chat = -(1_000_000_000_000 + owner.user.id * 10 + k);
        this.telegram.joinChat(bot.id, { id: chat, type: 'channel', title: `${owner.user.first_name} channel ${String(k)}` }, { status: 'administrator', canPostMessages: true });
        const linked = await this.say(owner, `/link @${username} ${String(chat)}`);
        if (!linked.startsWith('✅')) throw new Error(`user ${String(owner.user.id)}: channel ${String(chat)} not linked: "${linked}"`);
        owner.channels.push(chat);
      }
    }));
  }

  /** Everyone starts posting (staggered). */
  start(): void {
    this.loops = this.owners.map((owner, index) => this.post(owner, index));
  }

  /** Every post a person was told about: id → text. */
  announced(): Map<string, string> {
    return new Map(this.owners.flatMap((owner) => [...owner.posts.entries()]));
  }

  /** Answers that never came (person, command, the wait's error). */
  lostReplies(): readonly string[] {
    return this.lost;
  }

  /** Answers that were not "going out" or "scheduled", in the bot's words. */
  refusals(): readonly string[] {
    return this.refused;
  }

  /** Lets every person finish the post under way, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async say(owner: Owner, text: string): Promise<string> {
    const reply = this.telegram.waitForCall(answerTo(this.main.id, owner.user.id), { timeoutMs: this.options.replyTimeoutMs });
    this.telegram.userSends(this.main.token, { from: owner.user, text });
    return String((await reply).params.text);
  }

  private async post(owner: Owner, index: number): Promise<void> {
    await sleep(index * 71);
    while (!this.stopping) {
      owner.written += 1;
      const text = postText(owner.user.id, owner.written);
      const command = owner.written % 3 === 0 ? `/post all in 1m\n${text}` : `/post all\n${text}`;
      try {
        const answer = await this.say(owner, command);
        const match = ANSWERED.exec(answer);
        const id = match?.[1] ?? match?.[3];
        if (id === undefined) this.refused.push(`user ${String(owner.user.id)} ${command.split('\n')[0] ?? ''}: ${answer}`);
        else owner.posts.set(id, text);
      } catch (error) {
        this.lost.push(`user ${String(owner.user.id)}, ${text}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      const [min, max] = this.options.thinkMs;
      await sleep(min + Math.random() * (max - min));
    }
  }
}
