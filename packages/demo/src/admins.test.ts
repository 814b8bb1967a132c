/**
 * The simulated admins against a real HTTP server (node:http on loopback): how each answer is
 * counted, and the browser's reload of a page whose connection closed before any answer.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedAdmins } from './admins.js';

const BOT_TOKEN = '123456:test-token-for-admins';
let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => { running.close(resolve); });
});

/** A panel stand-in: sign-in sets a cookie; each page is answered by `answer` (called in order). */
async function panel(answer: (call: number, socketDestroy: () => void, url: string) => number | undefined): Promise<string> {
  let calls = 0;
  const created = createServer((req, res) => {
    if (req.url?.startsWith('/admin/auth/telegram') === true) {
      res.writeHead(303, { location: '/admin/', 'set-cookie': 'nova_admin=s; HttpOnly' }).end();
      return;
    }
    const status = answer(calls++, () => { req.socket.destroy(); }, req.url ?? '');
    if (status !== undefined) res.writeHead(status, status === 302 ? { location: '/admin/sign-in' } : {}).end('page');
  });
  server = created;
  await new Promise<void>((resolve) => { created.listen(0, '127.0.0.1', resolve); });
  return `http://127.0.0.1:${String((created.address() as AddressInfo).port)}`;
}

/** Has `admins` ask for `pages` pages, one at a time, and returns the counts. */
async function browse(admins: SimulatedAdmins, pages: number): Promise<ReturnType<SimulatedAdmins['counts']>> {
  await admins.signIn();
  admins.start();
  const deadline = Date.now() + 20_000;
  while (admins.counts().pages < pages && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  admins.stop();
  await admins.drain(20_000);
  return admins.counts();
}

describe('SimulatedAdmins', () => {
  it('counts each answer by kind and keeps the reasons of the failed ones', async () => {
    const statuses = [200, 503, 302, 404];
    const base = await panel((call) => statuses[call % statuses.length]);
    const counts = await browse(new SimulatedAdmins(base, BOT_TOKEN, [1], 50, []), 8);
    expect(counts.pages).toBeGreaterThanOrEqual(8);
    expect(counts.served + counts.failed + counts.signedOut + counts.other).toBe(counts.pages);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.signedOut).toBeGreaterThan(0);
    expect(counts.other).toBeGreaterThan(0);
    expect(counts.failures[0]).toBe('503 /admin/');
    expect(counts.reloaded).toBe(0);
  });

  it('sends a page once more, as a browser does, when its connection closes before any answer', async () => {
    // The first request for each page has its connection closed as it arrives: no answer at all.
    const dropped = new Set<string>();
    const base = await panel((_call, destroy, url) => {
      if (dropped.has(url)) return 200;
      dropped.add(url);
      destroy();
      return undefined;
    });
    const counts = await browse(new SimulatedAdmins(base, BOT_TOKEN, [1], 50, [{ id: 7, name: 'Anna' }]), 6);
    expect(counts.reloaded).toBe(dropped.size);
    expect(dropped.size).toBe(3);
    expect(counts).toMatchObject({ served: counts.pages, failed: 0, failures: [] });
  });

  it('counts a page failed when its second load closes too, with the reason', async () => {
    const base = await panel((_call, destroy) => {
      destroy();
      return undefined;
    });
    const counts = await browse(new SimulatedAdmins(base, BOT_TOKEN, [1], 50, []), 2);
    expect(counts.served).toBe(0);
    expect(counts.failed).toBe(counts.pages);
    expect(counts.reloaded).toBe(counts.pages);
    expect(counts.failures[0]).toMatch(/^\/admin\/: fetch failed: /u);
  });
});
