/**
 * Which update each repeated reply belongs to, from the bots context's own record: every reply is
 * a row of `bot_service.outgoing_replies` (its update's effect key, chat, text, when it was
 * recorded and when it was marked sent), whoever sent it (the monolith or the bot service: one
 * table). Telegram's sends of that text to that chat between the row's creation and its "sent"
 * mark can be sends of that row; each send is counted for exactly one row, and a row with more
 * than one is a repeated reply (the earlier sends are those whose mark was lost). Timing the
 * users' updates against the replies instead (the first version) mis-paired a late reply with the
 * person's next update once answers took longer than the simulated users' reply timeout.
 *
 * Both clocks are this machine's (the emulator's call times, the senders' and PostgreSQL's
 * timestamps, stored to the millisecond), so a small slack covers their rounding only.
 */
import pg from 'pg';

export interface ReplyRow {
  readonly effectKey: string;
  readonly seq: number;
  readonly chatId: number;
  readonly botId: number;
  readonly text: string;
  readonly createdAt: number;
  readonly sentAt: number | undefined;
}

export interface SentCall {
  readonly chatId: number;
  readonly botId: number;
  readonly text: string;
  readonly at: number;
}

/** One reply Telegram got more than once: its update's effect key, and every send of it (ms since the epoch), in order. */
export interface RepeatedReply {
  readonly effectKey: string;
  readonly chatId: number;
  readonly botId: number;
  readonly sends: readonly number[];
}

/**
 * A row's creation is stored rounded to the millisecond, the emulator's call time is floored: 1 ms
 * would do. It was 50 ms, which reached past a row's mark to the chat's next reply (below).
 */
const SLACK_MS = 2;

export async function readReplyRows(databaseUrl: string): Promise<ReplyRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ effect_key: string; seq: number; chat_id: string; bot_id: string; text: string; created_at: Date; sent_at: Date | null }>(
      'SELECT effect_key, seq, chat_id::text, bot_id::text, text, created_at, sent_at FROM bot_service.outgoing_replies');
    return rows.map((row) => ({
      effectKey: row.effect_key, seq: row.seq, chatId: Number(row.chat_id), botId: Number(row.bot_id), text: row.text,
      createdAt: row.created_at.getTime(), sentAt: row.sent_at?.getTime(),
    }));
  } finally {
    await client.end();
  }
}

/**
 * The rows Telegram got more than once. Each send is counted for one row only, and every row
 * first gets one send of its own: two rows of a chat with the same text (a child bot's greeting,
 * the main bot's menu) often have windows that overlap or touch, and a row that took every send in
 * its window claimed its neighbour's reply as a repeat of its own. The default-size run counted 542
 * such "repeats" for 42 extra replies Telegram had (docs/chaos.md): after a real repeat the
 * simulated person takes it as the answer to the update they are waiting on and writes again, so
 * their chat has its next update already waiting in the stream, answered within milliseconds of
 * the previous one's mark.
 *
 * The first pass is the greedy that gives the most rows a send (windows by their end, each taking
 * the earliest send left in it), so no row is left without the send it must have had when its
 * sends can be told apart by time alone. A send left over is a repeat of the narrowest window
 * holding it. A row never marked sent (its mark lost and its update not redone by the end) has no
 * end to its window and comes last; a send in no row's window is not counted (nothing here
 * recorded it).
 */
export function repeatedReplies(rows: readonly ReplyRow[], calls: readonly SentCall[]): RepeatedReply[] {
  const sendsTo = groupBy(calls, targetOf);
  const repeated: RepeatedReply[] = [];
  for (const [key, targetRows] of groupBy(rows, targetOf)) repeated.push(...repeatsOfOneTarget(targetRows, (sendsTo.get(key) ?? []).map((call) => call.at)));
  return repeated.sort((a, b) => (a.sends[0] ?? 0) - (b.sends[0] ?? 0));
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Sends are matched to rows of the same chat, bot and text. */
function targetOf(item: { readonly chatId: number; readonly botId: number; readonly text: string }): string {
  return `${String(item.chatId)}:${String(item.botId)}:${item.text}`;
}

interface Window {
  readonly row: ReplyRow;
  readonly from: number;
  /** Infinity for a row never marked sent. */
  readonly to: number;
  readonly sends: number[];
}

function repeatsOfOneTarget(rows: readonly ReplyRow[], sendTimes: readonly number[]): RepeatedReply[] {
  const sends = [...sendTimes].sort((a, b) => a - b);
  const windows: Window[] = rows
    .map((row) => ({ row, from: row.createdAt - SLACK_MS, to: row.sentAt === undefined ? Number.POSITIVE_INFINITY : row.sentAt + SLACK_MS, sends: [] }))
    .sort((a, b) => a.to - b.to || a.from - b.from);
  const holds = (window: Window, at: number) => at >= window.from && at <= window.to;
  const taken = sends.map(() => false);
  for (const window of windows) {
    const own = sends.findIndex((at, index) => !taken[index] && holds(window, at));
    if (own === -1) continue;
    taken[own] = true;
    window.sends.push(sends[own] ?? 0);
  }
  sends.forEach((at, index) => {
    if (taken[index]) return;
    const holder = windows.filter((window) => holds(window, at)).reduce<Window | undefined>((best, window) => (best === undefined || narrower(window, best) ? window : best), undefined);
    holder?.sends.push(at);
  });
  return windows
    .filter((window) => window.sends.length > 1)
    .map(({ row, sends: own }) => ({ effectKey: row.effectKey, chatId: row.chatId, botId: row.botId, sends: [...own].sort((a, b) => a - b) }));
}

/** The narrower of two windows; of two without an end, the one opened later (nearer the send). */
function narrower(a: Window, b: Window): boolean {
  if (a.to === Number.POSITIVE_INFINITY && b.to === Number.POSITIVE_INFINITY) return a.from > b.from;
  return a.to - a.from < b.to - b.from;
}
