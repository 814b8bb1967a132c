/**
 * Telegram's emulator in a process of its own for the broadcast benchmark, as Telegram is another
 * machine: the senders' load does not slow its clock, and its answers do not share their event
 * loop. Enforces Telegram's documented limits (its defaults). Creates `--bots` bots, each an
 * administrator allowed to post in `--chats` channels of its own (ids -1_005_000_000_000 - bot *
 * 1_000_000 - n), writes their ids and tokens to `--tokens-out` (never to stdout), prints one JSON
 * line `{"apiRoot":...}` when ready, and stops on SIGTERM. Calls are read over /_emulator/calls.
 *
 * Usage: node bench/dist/broadcast-emulator.js --bots 8 --chats 10000 --tokens-out file.json
 */
import { writeFile } from 'node:fs/promises';
import { TelegramEmulator } from '@nova/telegram-emulator';
import { channelOf } from './broadcast-chats.js';
import { option, textOption } from './support.js';

const BOTS = option('bots', 1);
const CHATS = option('chats', 100);
const TOKENS_OUT = textOption('tokens-out', '');

if (TOKENS_OUT === '') throw new Error('--tokens-out <file> is required');
const telegram = await TelegramEmulator.start();
const bots = Array.from({ length: BOTS }, (_, index) => {
  const bot = telegram.createBot({ username: `broadcast_bench_${String(index)}_bot` });
  for (let n = 0; n < CHATS; n++) telegram.joinChat(bot.id, { id: channelOf(index, n), type: 'channel', title: `Bench ${String(n)}` }, { status: 'administrator', canPostMessages: true });
  return { id: bot.id, token: bot.token };
});
await writeFile(TOKENS_OUT, JSON.stringify(bots), { mode: 0o600 });
process.stdout.write(`${JSON.stringify({ apiRoot: telegram.apiRoot })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { void telegram.stop().then(() => process.exit(0)); });
