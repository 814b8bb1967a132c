#!/usr/bin/env node
/**
 * Runs both payment emulators as one process, for the demo and for poking by hand:
 *
 *   nova-payment-emulators [--host H] [--cryptobot-port N] [--platega-port M]
 *       [--cryptobot-webhook URL] [--platega-callback URL] [--credentials-out FILE]
 *
 * Prints one JSON line `{"event":"listening","cryptobot":{"apiRoot"},"platega":{"apiRoot"}}` when
 * ready. The credentials (CryptoBot token, Platega merchant id and secret) go only to the file
 * named by --credentials-out (mode 600), never to stdout. Driven afterwards through each
 * emulator's `/_emulator/...` control API; stops on SIGTERM/SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CryptoBotEmulator } from './cryptobot.js';
import { PlategaEmulator } from './platega.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    'cryptobot-port': { type: 'string' },
    'platega-port': { type: 'string' },
    'cryptobot-webhook': { type: 'string' },
    'platega-callback': { type: 'string' },
    'credentials-out': { type: 'string' },
  },
});
const host = values.host ?? '127.0.0.1';
const cryptobot = await CryptoBotEmulator.start({ host, port: Number(values['cryptobot-port'] ?? 0), ...(values['cryptobot-webhook'] === undefined ? {} : { webhookUrl: values['cryptobot-webhook'] }) });
const platega = await PlategaEmulator.start({ host, port: Number(values['platega-port'] ?? 0), ...(values['platega-callback'] === undefined ? {} : { callbackUrl: values['platega-callback'] }) });
if (values['credentials-out'] !== undefined) {
  const credentials = { cryptobotToken: cryptobot.token, plategaMerchantId: platega.merchantId, plategaSecret: platega.secret };
  await writeFile(values['credentials-out'], JSON.stringify(credentials, null, 2), { mode: 0o600 });
}
process.stdout.write(`${JSON.stringify({ event: 'listening', cryptobot: { apiRoot: cryptobot.apiRoot }, platega: { apiRoot: platega.apiRoot } })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void Promise.all([cryptobot.stop(), platega.stop()]).then(() => process.exit(0));
  });
}
