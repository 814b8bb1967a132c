/**
 * Stage 4's count: the posts the simulated owners were told are going out or scheduled, and what
 * Telegram (the emulator) really received: each post's text in its channel, and the main bot's
 * report ("Post #N published in …") in its owner's chat. Read from the emulator's record, not from
 * the publisher's own word, so a post sent twice or never shows whichever side sent it.
 */
import type { TelegramEmulator } from '@nova/telegram-emulator';
import type { PostCounts } from './snapshot.js';

/** The owner's report (services/publisher-service/src/domain/report.ts), not an answer to a command. */
export const OWNER_REPORT = /^Post #(\d+) published in \d+ of \d+ channels\./u;

interface PostRecord {
  readonly text: string;
  readonly owner: number;
  readonly channel: number;
  readonly botId: number;
  readonly scheduled: boolean;
}

export class PostLedger {
  private readonly posts = new Map<string, PostRecord>();

  constructor(private readonly emulator: TelegramEmulator, private readonly mainBotId: number) {}

  /** A post the main bot said is going out or scheduled (its number, once). */
  add(id: string, post: PostRecord): void {
    this.posts.set(id, post);
  }

  counts(): PostCounts {
    const inChannel = new Map<string, number>();
    const channels = new Set([...this.posts.values()].map((post) => `${String(post.channel)}:${String(post.botId)}`));
    for (const key of channels) {
      const [chat = 0, botId = 0] = key.split(':').map(Number);
      for (const message of this.emulator.messagesTo(chat, { botId })) {
        const at = `${String(chat)}:${message.text ?? ''}`;
        inChannel.set(at, (inChannel.get(at) ?? 0) + 1);
      }
    }
    const reports = new Map<string, number>();
    const owners = new Set([...this.posts.values()].map((post) => post.owner));
    for (const call of this.emulator.calls((c) => c.ok && c.method === 'sendMessage' && c.botId === this.mainBotId && owners.has(Number(c.params.chat_id)))) {
      const id = OWNER_REPORT.exec(String(call.params.text))?.[1];
      if (id !== undefined) reports.set(id, (reports.get(id) ?? 0) + 1);
    }
    let published = 0;
    let doubled = 0;
    let reported = 0;
    for (const [id, post] of this.posts) {
      const copies = inChannel.get(`${String(post.channel)}:${post.text}`) ?? 0;
      if (copies > 0) published++;
      doubled += Math.max(0, copies - 1) + Math.max(0, (reports.get(id) ?? 0) - 1);
      if ((reports.get(id) ?? 0) > 0) reported++;
    }
    const scheduled = [...this.posts.values()].filter((post) => post.scheduled).length;
    return { created: this.posts.size, scheduled, published, reported, doubled };
  }
}
