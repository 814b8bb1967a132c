/**
 * The Telegram client's pacing against Telegram's documented limits, on the emulator enforcing
 * those limits (both in this process, over loopback HTTP):
 *
 * 1. per chat: N messages queued at once for one chat; the sustained rate after the burst,
 *    (N - burst) / (last - first arrival), as a ratio to "about 1 message per second per chat";
 * 2. per bot: one message to each of M chats, queued at once; the sustained rate after the first
 *    second (what arrived after it, over the time from its end to the last arrival: the client
 *    spreads the first 30 over that second rather than bursting them), as a ratio to "about 30
 *    messages per second", and the most messages the emulator saw in any one second;
 * 3. per group (--group, takes about 70 s): messages to one group; the most in any 60 s as a
 *    ratio to "at most 20 per minute in a group";
 * 4. the same run's unpaced throughput (client pacing and emulator limits off), to show that the
 *    pacing, not the machine, sets the numbers above.
 *
 * Every 429 the emulator answered is counted: with the client's pacing on there should be none.
 *
 * Usage: node bench/dist/telegram.js [--chat-messages 10] [--bot-chats 150] [--group]
 */
import { cpus, totalmem } from 'node:os';
import { Registry } from 'prom-client';
import { DEFAULT_RATE_LIMITS, TELEGRAM_DOCUMENTED_LIMITS, TelegramClient } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot, type RecordedCall } from '@nova/telegram-emulator';
import { option, sustainedAfterFirstSecond } from './support.js';

const CHAT_MESSAGES = option('chat-messages', 10);
const BOT_CHATS = option('bot-chats', 150);
const WITH_GROUP = process.argv.includes('--group');
const UNPACED_MESSAGES = 300;

const telegram = await TelegramEmulator.start();
let bots = 0;

function newBot(chats: number, firstChat: number): { bot: EmulatedBot; client: TelegramClient } {
  const bot = telegram.createBot({ username: `bench_${String(++bots)}_bot` });
  for (let chat = firstChat; chat < firstChat + chats; chat++) telegram.userSends(bot.token, { from: { id: chat, first_name: 'User' }, text: '/start' });
  return { bot, client: new TelegramClient({ token: bot.token, apiRoot: telegram.apiRoot, registry: new Registry() }) };
}

function sendsOf(bot: EmulatedBot): RecordedCall[] {
  return telegram.calls((call) => call.botId === bot.id && call.method === 'sendMessage');
}

function sustained(accepted: readonly RecordedCall[], burst: number): number {
  const first = accepted[0]?.at ?? 0;
  const last = accepted[accepted.length - 1]?.at ?? 0;
  return (accepted.length - burst) / ((last - first) / 1000);
}

function mostInAnyWindow(accepted: readonly RecordedCall[], windowMs: number): number {
  return Math.max(...accepted.map((call) => accepted.filter((other) => other.at >= call.at && other.at < call.at + windowMs).length));
}

const fmt = (value: number, digits = 2): string => value.toFixed(digits);
const tooMany = (calls: readonly RecordedCall[]): number => calls.filter((call) => call.status === 429).length;

console.log(`telegram client benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`);
console.log(`  emulator enforcing Telegram's documented limits on loopback; client pacing ${JSON.stringify({ perChat: DEFAULT_RATE_LIMITS.perChat, perGroup: DEFAULT_RATE_LIMITS.perGroup, perBot: DEFAULT_RATE_LIMITS.perBot })}`);

{
  const { bot, client } = newBot(1, 1);
  await Promise.all(Array.from({ length: CHAT_MESSAGES }, (_, n) => client.sendMessage({ chat_id: 1, text: `m${String(n)}` })));
  const calls = sendsOf(bot);
  const accepted = calls.filter((call) => call.ok);
  const rate = sustained(accepted, DEFAULT_RATE_LIMITS.perChat.burst);
  console.log(`per chat: ${fmt(rate)} msg/s sustained = ${fmt(rate / TELEGRAM_DOCUMENTED_LIMITS.perChatPerSecond)}× the limit (${String(TELEGRAM_DOCUMENTED_LIMITS.perChatPerSecond)}/s); 429s: ${String(tooMany(calls))}`);
  console.log(`  ${String(CHAT_MESSAGES)} messages to one chat, queued at once; the first ${String(DEFAULT_RATE_LIMITS.perChat.burst)} as a burst`);
}

{
  const { bot, client } = newBot(BOT_CHATS, 1_000);
  await Promise.all(Array.from({ length: BOT_CHATS }, (_, n) => client.sendMessage({ chat_id: 1_000 + n, text: 'bulk' })));
  const calls = sendsOf(bot);
  const accepted = calls.filter((call) => call.ok);
  const rate = sustainedAfterFirstSecond(accepted.map((call) => call.at));
  console.log(`per bot: ${fmt(rate, 1)} msg/s sustained = ${fmt(rate / TELEGRAM_DOCUMENTED_LIMITS.perBotPerSecond)}× the limit (${String(TELEGRAM_DOCUMENTED_LIMITS.perBotPerSecond)}/s); most in any 1 s: ${String(mostInAnyWindow(accepted, 1_000))}; 429s: ${String(tooMany(calls))}`);
  console.log(`  one message to each of ${String(BOT_CHATS)} chats, queued at once`);
}

if (WITH_GROUP) {
  const { bot, client } = newBot(0, 0);
  telegram.addChat(bot.token, { id: -500, type: 'group', title: 'bench' });
  const count = TELEGRAM_DOCUMENTED_LIMITS.perGroupPerMinute + 2;
  await Promise.all(Array.from({ length: count }, (_, n) => client.sendMessage({ chat_id: -500, text: `g${String(n)}` })));
  const calls = sendsOf(bot);
  const most = mostInAnyWindow(calls.filter((call) => call.ok), 60_000);
  console.log(`per group: most in any 60 s ${String(most)} = ${fmt(most / TELEGRAM_DOCUMENTED_LIMITS.perGroupPerMinute)}× the limit (${String(TELEGRAM_DOCUMENTED_LIMITS.perGroupPerMinute)}/min); 429s: ${String(tooMany(calls))}`);
} else {
  console.log('per group: skipped (pass --group; it takes about 70 s)');
}

{
  telegram.setRateLimits(false);
  const { bot } = newBot(UNPACED_MESSAGES, 100_000);
  const client = new TelegramClient({ token: bot.token, apiRoot: telegram.apiRoot, registry: new Registry(), limits: false });
  const started = performance.now();
  await Promise.all(Array.from({ length: UNPACED_MESSAGES }, (_, n) => client.sendMessage({ chat_id: 100_000 + n, text: 'fast' })));
  const rate = UNPACED_MESSAGES / ((performance.now() - started) / 1000);
  console.log(`unpaced baseline: ${fmt(rate, 0)} msg/s (= ${fmt(rate / TELEGRAM_DOCUMENTED_LIMITS.perBotPerSecond, 1)}× the per-bot limit): the pacing, not this machine, sets the rates above`);
}

await telegram.stop();
