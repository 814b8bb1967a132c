/**
 * The payment emulators as a process (what the demo will run, from dist: `npm run build` first):
 * one "listening" line out, the credentials only in the --credentials-out file, driven over the
 * providers' APIs and the /_emulator/ control API, stopped by SIGTERM.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = join(import.meta.dirname, '../../packages/payment-emulators/dist/bin.js');

describe('nova-payment-emulators (bin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-payment-emulators-'));
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(() => { child?.kill('SIGKILL'); });

  it('serves both providers\' APIs and control APIs, keeps credentials off stdout, and stops on SIGTERM', async () => {
    const running = spawn(process.execPath, [BIN, '--credentials-out', join(dir, 'credentials.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = running;
    running.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: running.stdout });
      lines.once('line', (line) => { output += line; resolve(line); });
      running.once('exit', (code) => { reject(new Error(`emulators exited with ${String(code)}: ${output}`)); });
    });
    const ready = JSON.parse(firstLine) as { event: string; cryptobot: { apiRoot: string }; platega: { apiRoot: string } };
    expect(ready.event).toBe('listening');
    const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { cryptobotToken: string; plategaMerchantId: string; plategaSecret: string };
    for (const secret of [credentials.cryptobotToken, credentials.plategaSecret]) expect(firstLine).not.toContain(secret);

    const created = await fetch(`${ready.cryptobot.apiRoot}createInvoice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Crypto-Pay-API-Token': credentials.cryptobotToken },
      body: JSON.stringify({ currency_type: 'fiat', fiat: 'RUB', amount: '299.00' }),
    }).then(async (response) => (await response.json()) as { ok: boolean; result: { invoice_id: number } });
    expect(created.ok).toBe(true);
    const origin = new URL(ready.cryptobot.apiRoot).origin;
    const paid = await fetch(`${origin}/_emulator/invoices/${String(created.result.invoice_id)}/pay`, { method: 'POST', body: '{"deliver":false}' });
    expect(paid.status).toBe(200);
    const invoices = (await (await fetch(`${origin}/_emulator/invoices`)).json()) as { status: string }[];
    expect(invoices.map((invoice) => invoice.status)).toEqual(['paid']);

    const transaction = await fetch(`${ready.platega.apiRoot}/transaction/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-MerchantId': credentials.plategaMerchantId, 'X-Secret': credentials.plategaSecret },
      body: '{"paymentMethod":2,"paymentDetails":{"amount":249.00,"currency":"RUB"},"payload":"x"}',
    }).then(async (response) => (await response.json()) as { transactionId: string; status: string });
    expect(transaction.status).toBe('PENDING');
    expect((await fetch(`${ready.platega.apiRoot}/_emulator/transactions/${transaction.transactionId}/confirm`, { method: 'POST', body: '{"deliver":false}' })).status).toBe(200);

    const exit = new Promise<number | null>((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
