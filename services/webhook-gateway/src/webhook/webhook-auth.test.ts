/**
 * The gateway's cache of svc.bot.webhook_auth, over a real (in-process) bus serving it: answers
 * remembered for their TTL, "no such bot" for a shorter one, an expired answer kept while the bots
 * context cannot be reached, concurrent lookups of one bot asking once, and a bounded size.
 */
import { describe, expect, it } from '@jest/globals';
import { createInProcessBus, NotFoundError, type NovaBus } from '@nova/bus';
import { createLogger, Metrics } from '@nova/platform';
import { Writable } from 'node:stream';
import { busWebhookAuth, WebhookAuthCache, WebhookAuthUnavailableError } from './webhook-auth.js';

interface Served {
  readonly bus: NovaBus;
  readonly asked: bigint[];
  known: Set<bigint>;
  stop(): Promise<void>;
}

async function botsContext(): Promise<Served> {
  const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const bus = createInProcessBus({ metrics: new Metrics({ namespace: 'test', side: 'target', defaults: false }), logger, circuit: { failureThreshold: 10, windowSize: 10 } });
  const served: Served = {
    bus,
    asked: [],
    known: new Set([1n, 2n, 3n]),
    stop: async () => { await binding.stop(); },
  };
  const binding = await bus.serve('bot', {
    'svc.bot.webhook_auth': async (request) => {
      served.asked.push(request.botId);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!served.known.has(request.botId)) throw new NotFoundError(`no child bot ${request.botId.toString()}`);
      return { botId: request.botId, webhookSecretSha256: new Uint8Array(32).fill(Number(request.botId)), tokenSha256: new Uint8Array(32) };
    },
  });
  return served;
}

describe('WebhookAuthCache', () => {
  it('remembers answers for their TTL, unknown bots for less, and asks once for concurrent lookups', async () => {
    const served = await botsContext();
    let now = 1_000_000;
    const cache = new WebhookAuthCache(busWebhookAuth(served.bus), { knownTtlMs: 30_000, unknownTtlMs: 5_000, now: () => now });
    const [a, b] = await Promise.all([cache.lookup(1n), cache.lookup(1n)]);
    expect(a?.webhookSecretSha256[0]).toBe(1);
    expect(b).toBe(a);
    expect(await cache.lookup(9n)).toBeUndefined();
    expect(served.asked).toEqual([1n, 9n]);

    now += 4_000;
    await cache.lookup(1n);
    await cache.lookup(9n);
    expect(served.asked).toEqual([1n, 9n]);
    served.known.add(9n); // the bot was added meanwhile
    now += 2_000;
    expect((await cache.lookup(9n))?.webhookSecretSha256[0]).toBe(9);
    now += 25_000;
    await cache.lookup(1n);
    expect(served.asked).toEqual([1n, 9n, 9n, 1n]);
    await served.bus.close();
  });

  it('keeps serving a known bot while the bots context is unreachable, within the stale window, and fails for the rest', async () => {
    const served = await botsContext();
    let now = 1_000_000;
    const cache = new WebhookAuthCache(busWebhookAuth(served.bus), { knownTtlMs: 1_000, staleMs: 60_000, now: () => now });
    await cache.lookup(2n);
    await served.stop();
    now += 30_000;
    expect((await cache.lookup(2n))?.webhookSecretSha256[0]).toBe(2);
    await expect(cache.lookup(3n)).rejects.toBeInstanceOf(WebhookAuthUnavailableError);
    now += 31_000;
    await expect(cache.lookup(2n)).rejects.toBeInstanceOf(WebhookAuthUnavailableError);
    await served.bus.close();
  });

  it('forgets the oldest bots beyond its size', async () => {
    const served = await botsContext();
    const cache = new WebhookAuthCache(busWebhookAuth(served.bus), { maxEntries: 2 });
    await cache.lookup(1n);
    await cache.lookup(2n);
    await cache.lookup(3n);
    await cache.lookup(3n);
    await cache.lookup(2n);
    await cache.lookup(1n);
    expect(served.asked).toEqual([1n, 2n, 3n, 1n]);
    await served.bus.close();
  });
});
