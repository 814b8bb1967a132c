import { describe, expect, it } from '@jest/globals';
import { CircuitOpenError } from '@nova/resilience';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CryptoPayClient } from './cryptobot-client.js';
import { ProviderCallError, ProviderHttp } from './provider-http.js';

const TOKEN = '4242:AAsecret-token-never-in-errors';
const request = { invoiceId: 'inv-1', amountMinor: 29900n, currency: 'RUB', description: 'Plan', expiresInSeconds: 60 };

/** A port nothing listens on (taken from a server that was started and closed). */
async function refusedRoot(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${String(port)}/api/`;
}

describe('calls to a provider', () => {
  it('open the provider\'s circuit after repeated failures, then fail fast without calling', async () => {
    const states: string[] = [];
    const http = new ProviderHttp({ provider: 'cryptobot', timeoutMs: 1_000, onCircuitState: (state) => states.push(state) });
    const client = new CryptoPayClient({ apiRoot: await refusedRoot(), token: TOKEN, http });
    const errors: unknown[] = [];
    for (let i = 0; i < 6; i++) errors.push(await client.createInvoice(request).catch((error: unknown) => error));
    expect(errors.slice(0, 5).every((error) => error instanceof ProviderCallError && error.status === undefined)).toBe(true);
    expect(errors[5]).toBeInstanceOf(CircuitOpenError);
    expect(states).toEqual(['open']);
    for (const error of errors) expect((error as Error).message).not.toContain(TOKEN);
  });

  it('do not count the provider\'s refusals (4xx) against its circuit', async () => {
    const server = createServer((_req, res) => { res.writeHead(401, { 'content-type': 'application/json' }).end('{"ok":false,"error":{"code":401,"name":"UNAUTHORIZED"}}'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = new ProviderHttp({ provider: 'cryptobot', timeoutMs: 1_000 });
      const client = new CryptoPayClient({ apiRoot: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/`, token: TOKEN, http });
      for (let i = 0; i < 8; i++) {
        const error = await client.createInvoice(request).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProviderCallError);
        expect((error as Error).message).toBe('cryptobot createInvoice failed: refused (UNAUTHORIZED)');
      }
      expect(http.circuitState).toBe('closed');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('give up after the timeout on a provider that does not answer', async () => {
    const server = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = new ProviderHttp({ provider: 'cryptobot', timeoutMs: 200 });
      const client = new CryptoPayClient({ apiRoot: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/`, token: TOKEN, http });
      await expect(client.createInvoice(request)).rejects.toThrow('cryptobot createInvoice failed: no answer within 200 ms');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
