/**
 * The chaos run's tie of each Telegram send to its reply row (bench/src/chaos/replies.ts): which
 * reply Telegram got more than once, each send counted for exactly one row. Pure: rows and sends
 * as the run reads them from `bot_service.outgoing_replies` and the emulator's call log.
 */
import { describe, expect, it } from '@jest/globals';
import { repeatedReplies, type ReplyRow } from '../../bench/src/chaos/replies.js';

const row = (effectKey: string, text: string, createdAt: number, sentAt: number | undefined): ReplyRow => ({ effectKey, seq: 0, chatId: 1, botId: 2, text, createdAt, sentAt });
const call = (text: string, at: number, chatId = 1) => ({ chatId, botId: 2, text, at });

describe('repeatedReplies', () => {
  it('ties each send to the reply row recorded before it and marked after it, by chat and text', () => {
    const rows = [row('u1', 'Hello!', 1_000, 1_200), row('u2', 'Hello!', 5_000, 40_000), row('u3', 'Welcome', 5_000, 5_100)];
    // u2 sent at 5,050 (its mark lost with its sender), again at 39,990 after its lease; u1 and u3 once; another chat's copy is not counted.
    const calls = [call('Hello!', 1_100), call('Hello!', 5_050), call('Welcome', 5_060), call('Hello!', 39_990), call('Hello!', 5_055, 9)];
    expect(repeatedReplies(rows, calls)).toEqual([{ effectKey: 'u2', chatId: 1, botId: 2, sends: [5_050, 39_990] }]);
  });

  it('counts each send for one row: a late mark does not claim the next reply of the same text, marked first', () => {
    // u1's mark came late (a database restart): u2 was answered and marked meanwhile, inside u1's window.
    const rows = [row('u1', 'Hello!', 1_000, 9_000), row('u2', 'Hello!', 3_000, 3_200)];
    expect(repeatedReplies(rows, [call('Hello!', 1_100), call('Hello!', 3_100)])).toEqual([]);
  });

  it('counts each send for one row: an earlier mark does not claim the next reply sent before it', () => {
    // Two updates of one chat with overlapping windows: u1's mark (3,150) came after u2's send (3,100).
    const rows = [row('u1', 'Hello!', 1_000, 3_150), row('u2', 'Hello!', 3_000, 3_200)];
    expect(repeatedReplies(rows, [call('Hello!', 1_100), call('Hello!', 3_100)])).toEqual([]);
  });

  it("does not take the chat's next reply, sent 30 ms after this one's mark, as a repeat of this one", () => {
    // The default-size run's 500 "pairs": the chat's next update already waited in the stream and was answered at
    // once after u1's mark (u2 recorded 5 ms and sent 30 ms after it), in a chat where the person was one update ahead.
    const rows = [row('u1', 'Hello!', 1_000, 1_080), row('u2', 'Hello!', 1_085, 1_150)];
    expect(repeatedReplies(rows, [call('Hello!', 1_060), call('Hello!', 1_110)])).toEqual([]);
  });

  it("counts a lease's repeat once among the chat's later replies, each of which had its own send", () => {
    // u1 sent at 1,100, its sender killed before the mark, sent again at 39,900 after its lease and the
    // redelivery. The person took the first send as their answer and wrote on: u2, u3 and u4, each answered
    // right after the previous one's mark.
    const rows = [row('u1', 'Hello!', 1_000, 39_950), row('u2', 'Hello!', 1_200, 1_300), row('u3', 'Hello!', 1_305, 1_400), row('u4', 'Hello!', 1_405, 1_500)];
    const calls = [call('Hello!', 1_100), call('Hello!', 1_250), call('Hello!', 1_330), call('Hello!', 1_430), call('Hello!', 39_900)];
    const repeats = repeatedReplies(rows, calls);
    expect(repeats).toEqual([{ effectKey: 'u1', chatId: 1, botId: 2, sends: [1_100, 39_900] }]);
    // Every send is one row's: the extra sends are the sends beyond one per row.
    expect(repeats.reduce((extra, repeat) => extra + repeat.sends.length - 1, 0)).toBe(calls.length - rows.length);
  });

  it('bounds a row never marked sent by its creation only: one send of it is no repeat, and not a marked row\'s either', () => {
    // u1 was sent and its mark lost, its update not redone by the end; u2, marked, has a send of its own.
    const rows = [row('u1', 'Hello!', 1_000, undefined), row('u2', 'Hello!', 900, 5_000)];
    expect(repeatedReplies(rows, [call('Hello!', 1_100), call('Hello!', 4_000)])).toEqual([]);
    expect(repeatedReplies([row('u1', 'Hello!', 1_000, undefined)], [call('Hello!', 1_100), call('Hello!', 31_300)])).toEqual([{ effectKey: 'u1', chatId: 1, botId: 2, sends: [1_100, 31_300] }]);
  });
});
