#!/usr/bin/env node
/**
 * Runs the emulator as a process: `nova-telegram-emulator [--config file.json] [--port N]`.
 * Prints one JSON line `{"event":"listening","apiRoot":...,"bots":[{id,username}]}` when ready
 * (tokens of generated bots go to the file named by --tokens-out, never to stdout), and stops on
 * SIGTERM/SIGINT.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from './config.js';
import { TelegramEmulator } from './emulator.js';

const { values } = parseArgs({ options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'tokens-out': { type: 'string' } } });
const config = values.config === undefined ? {} : parseConfig(await readFile(values.config, 'utf8'), values.config);
const emulator = await TelegramEmulator.start({
  ...config,
  ...(values.port === undefined ? {} : { port: Number(values.port) }),
  ...(values.host === undefined ? {} : { host: values.host }),
});
const bots = (config.bots ?? []).map((bot) => emulator.createBot(bot));
if (values['tokens-out'] !== undefined) {
  await writeFile(values['tokens-out'], JSON.stringify(bots, null, 2), { mode: 0o600 });
}
process.stdout.write(`${JSON.stringify({ event: 'listening', apiRoot: emulator.apiRoot, bots: bots.map(({ id, username }) => ({ id, username })) })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
