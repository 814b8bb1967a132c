/**
 * Which update each repeated reply belongs to, from the bots context's own record: every reply is
 * a row of `bot_service.outgoing_replies` (its update's effect key, chat, text, when it was
 * recorded and when it was marked sent), whoever sent it (the monolith or the bot service: one
 * table). Telegram's sends of that text to that chat between the row's creation and its "sent"
 * mark are sends of that row; more than one is a repeated reply, and the earlier ones are the
 * sends whose mark was lost. Timing the users' updates against the replies instead (the first
 * version) mis-paired a late reply with the person's next update once answers took longer than
 * the simulated users' reply timeout.
 *
 * Both clocks are this machine's (the emulator's call times, PostgreSQL's timestamps), so a small
 * slack covers their rounding (ms) only.
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

const SLACK_MS = 50;

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
 * The rows Telegram got more than once (rows never marked sent are left out: no mark bounds their
 * sends). Each send counts for one row only: rows are taken in the order of their marks, and each
 * takes the sends not yet taken between its creation and its mark. A mark that came late (retried
 * across a database restart) would otherwise also claim the person's next reply of the same text,
 * sent meanwhile and marked first.
 */
export function repeatedReplies(rows: readonly ReplyRow[], calls: readonly SentCall[]): RepeatedReply[] {
  const byTarget = new Map<string, SentCall[]>();
  for (const call of calls) {
    const key = `${String(call.chatId)}:${String(call.botId)}:${call.text}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), call]);
  }
  const taken = new Set<SentCall>();
  const repeated: RepeatedReply[] = [];
  const marked = rows.filter((row): row is ReplyRow & { sentAt: number } => row.sentAt !== undefined).sort((a, b) => a.sentAt - b.sentAt);
  for (const row of marked) {
    const sends = (byTarget.get(`${String(row.chatId)}:${String(row.botId)}:${row.text}`) ?? [])
      .filter((call) => !taken.has(call) && call.at >= row.createdAt - SLACK_MS && call.at <= row.sentAt + SLACK_MS);
    for (const call of sends) taken.add(call);
    if (sends.length > 1) repeated.push({ effectKey: row.effectKey, chatId: row.chatId, botId: row.botId, sends: sends.map((call) => call.at).sort((a, b) => a - b) });
  }
  return repeated;
}
