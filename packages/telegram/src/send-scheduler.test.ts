import { describe, expect, it } from '@jest/globals';
import { timeOwnWork } from '@nova/resilience';
import { TelegramClientClosedError, TelegramQueueFullError, TelegramSendNotStartedError } from './errors.js';
import { SendScheduler } from './send-scheduler.js';
import type { RateLimitSettings } from './settings.js';

const FAST: RateLimitSettings = {
  perChat: { burst: 1, intervalMs: 300 },
  perGroup: { limit: 2, windowMs: 400 },
  perBot: { limit: 100, windowMs: 1000 },
  maxQueuedPerChat: 10,
  maxQueued: 50,
};

/**
 * Virtual time: pending waits end in deadline order, each moving the clock to its deadline, once
 * the work already under way has run (setImmediate). The pacing is checked in the scheduler's own
 * milliseconds, never against a busy machine's timers.
 */
function virtualClock(): { now: () => number; wait: (ms: number) => Promise<void> } {
  let at = 1_000_000;
  const timers: { due: number; order: number; resolve: () => void }[] = [];
  let order = 0;
  let scheduled = false;
  const pump = (): void => {
    scheduled = false;
    timers.sort((x, y) => x.due - y.due || x.order - y.order);
    const next = timers.shift();
    if (next === undefined) return;
    at = Math.max(at, next.due);
    next.resolve();
    schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };
  return {
    now: () => at,
    wait: (ms) => new Promise<void>((resolve) => {
      timers.push({ due: at + ms, order: order++, resolve });
      schedule();
    }),
  };
}

function recorder(clock: { now: () => number } = { now: Date.now }): { log: { key: string; at: number }[]; task: (key: string) => () => Promise<string> } {
  const log: { key: string; at: number }[] = [];
  return { log, task: (key) => () => { log.push({ key, at: clock.now() }); return Promise.resolve(key); } };
}

describe('SendScheduler', () => {
  it('paces one chat, in order, while another chat goes out at once', async () => {
    const clock = virtualClock();
    const scheduler = new SendScheduler('1', FAST, clock.now, clock.wait);
    const { log, task } = recorder(clock);
    const flood = [1, 2, 3, 4].map((n) => scheduler.run('sendMessage', { chatKey: 'A', group: false }, task(`A${String(n)}`)));
    const other = scheduler.run('sendMessage', { chatKey: 'B', group: false }, task('B1'));
    await Promise.all([...flood, other]);
    expect(log.map((entry) => entry.key)).toEqual(['A1', 'B1', 'A2', 'A3', 'A4']);
    const start = log[0]?.at ?? 0;
    // One chat: a message per 300 ms after the burst of one; the other chat did not wait for it.
    expect(log.map((entry) => entry.at - start)).toEqual([0, 0, 300, 600, 900]);
  });

  it('paces a chat from each answer, not each send: a slow answer delays the next message by as much', async () => {
    const clock = virtualClock();
    const scheduler = new SendScheduler('1', FAST, clock.now, clock.wait);
    const sent: { key: string; at: number }[] = [];
    // Each call is in flight for 200 ms: Telegram may count it as late as its answer.
    const slow = (key: string) => async (): Promise<string> => { sent.push({ key, at: clock.now() }); await clock.wait(200); return key; };
    await Promise.all(['A1', 'A2', 'A3'].map((key) => scheduler.run('sendMessage', { chatKey: 'A', group: false }, slow(key))));
    const start = sent[0]?.at ?? 0;
    // Each send an interval (300 ms) after the previous one's answer: 0, 200 + 300, 700 + 300.
    expect(sent.map((entry) => entry.at - start)).toEqual([0, 500, 1000]);
  });

  it('writes each message\'s wait for its turn into the ledger of the handler that asked, not the one whose message went before', async () => {
    const clock = virtualClock();
    const scheduler = new SendScheduler('1', FAST, clock.now, clock.wait);
    const { task } = recorder(clock);
    const send = (key: string): Promise<string> => scheduler.run('sendMessage', { chatKey: 'A', group: false }, task(key));
    // X's message goes out at once; Y's waits 300 ms for the chat's next token, and is started
    // from the end of X's (the lane's next turn runs in X's async context): it is still Y's wait.
    const [x, y] = await Promise.all([
      timeOwnWork(() => send('X1'), { now: clock.now }),
      timeOwnWork(async () => { await send('Y1'); return send('Y2'); }, { now: clock.now }),
    ]);
    expect(x).toEqual({ value: 'X1', ownSeconds: 0, waitedSeconds: 0 });
    expect(y).toEqual({ value: 'Y2', ownSeconds: 0, waitedSeconds: 0.6 });
  });

  it('holds a group to its window', async () => {
    const clock = virtualClock();
    const scheduler = new SendScheduler('1', { ...FAST, perChat: { burst: 10, intervalMs: 1 } }, clock.now, clock.wait);
    const { log, task } = recorder(clock);
    await Promise.all([1, 2, 3].map((n) => scheduler.run('sendMessage', { chatKey: '-5', group: true }, task(`G${String(n)}`))));
    // Two per 400 ms window: the third waits for the first to leave it.
    expect((log[2]?.at ?? 0) - (log[0]?.at ?? 0)).toBe(400);
  });

  it('refuses at once when a chat\'s queue or the bot\'s queue is full', async () => {
    const scheduler = new SendScheduler('1', { ...FAST, maxQueuedPerChat: 2, maxQueued: 4 });
    const { task } = recorder();
    const first = scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A1')); // starts at once
    const queued = [scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A2')), scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A3'))];
    await expect(scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A4'))).rejects.toThrow(TelegramQueueFullError);
    await expect(scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A4'))).rejects.toThrow('the chat A send queue is full (2 waiting); not sent');
    const other = scheduler.run('sendMessage', { chatKey: 'B', group: false }, task('B1'));
    await expect(scheduler.run('sendMessage', { chatKey: 'C', group: false }, task('C1'))).rejects.toThrow('the bot send queue is full (4 waiting)');
    await Promise.all([first, ...queued, other]);
  });

  it('on close fails what has not started, and idle() resolves when the rest is done', async () => {
    const scheduler = new SendScheduler('1', FAST);
    const { log, task } = recorder();
    const started = scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A1'));
    const waiting = scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A2'));
    await started;
    scheduler.close();
    await expect(waiting).rejects.toThrow(TelegramClientClosedError);
    await expect(scheduler.run('sendMessage', { chatKey: 'B', group: false }, task('B1'))).rejects.toThrow(TelegramClientClosedError);
    await scheduler.idle();
    expect(scheduler.size).toBe(0);
    expect(log.map((entry) => entry.key)).toEqual(['A1']);
  });

  it('drops a queued message whose signal aborts, keeping the rest in order', async () => {
    const scheduler = new SendScheduler('1', FAST);
    const { log, task } = recorder();
    const controller = new AbortController();
    const calls = [
      scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A1')),
      scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A2'), controller.signal),
      scheduler.run('sendMessage', { chatKey: 'A', group: false }, task('A3')),
    ];
    controller.abort(new Error('user left'));
    await expect(calls[1]).rejects.toThrow('user left');
    await Promise.all([calls[0], calls[2]]);
    expect(log.map((entry) => entry.key)).toEqual(['A1', 'A3']);
  });

  it('gives up a message whose startBy ends while it waits for its turn, never one that went out', async () => {
    // One message a second for the bot: the second and third wait for the first one's window.
    const scheduler = new SendScheduler('1', { ...FAST, perBot: { limit: 1, windowMs: 1000 } });
    const sent: string[] = [];
    const slow = (key: string, ms: number) => async (): Promise<string> => { sent.push(key); await new Promise((resolve) => setTimeout(resolve, ms)); return key; };
    const started = Date.now();
    // Its startBy ends while it is in flight: it runs to its answer.
    const first = scheduler.run('sendMessage', { chatKey: 'A', group: false }, slow('A1', 150), undefined, AbortSignal.timeout(50));
    // Behind it for the bot's slot (another chat), and queued behind A1 in its own chat.
    const behind = scheduler.run('sendMessage', { chatKey: 'B', group: false }, slow('B1', 0), undefined, AbortSignal.timeout(200));
    const queued = scheduler.run('sendMessage', { chatKey: 'A', group: false }, slow('A2', 0), undefined, AbortSignal.timeout(200));
    await expect(first).resolves.toBe('A1');
    await expect(behind).rejects.toThrow(TelegramSendNotStartedError);
    await expect(queued).rejects.toThrow('its caller stopped waiting before its turn came; not sent');
    // Given up when their time ended, not when the bot's window would have let them go (1150 ms).
    expect(Date.now() - started).toBeLessThan(900);
    expect(sent).toEqual(['A1']);
    await expect(scheduler.run('sendMessage', { chatKey: 'C', group: false }, slow('C1', 0), undefined, AbortSignal.abort())).rejects.toThrow(TelegramSendNotStartedError);
    await scheduler.idle();
  });

  it('never lets more than the bot\'s limit arrive in any window, however late the answers come', async () => {
    const clock = virtualClock();
    const limits = { ...FAST, perBot: { limit: 5, windowMs: 1000 }, perChat: { burst: 1, intervalMs: 1000 }, maxQueued: 500 };
    const scheduler = new SendScheduler('1', limits, clock.now, clock.wait);
    const arrivals: number[] = [];
    // Latencies of 0-400 ms; Telegram counts each message at some moment between send and answer.
    let seed = 7;
    const random = (): number => { seed = (seed * 48_271) % 2_147_483_647; return seed / 2_147_483_647; };
    const send = async (): Promise<void> => {
      const latency = Math.floor(random() * 400);
      const arrival = clock.now() + Math.floor(random() * latency);
      await clock.wait(latency);
      arrivals.push(arrival);
    };
    await Promise.all(Array.from({ length: 60 }, (_, n) => scheduler.run('sendMessage', { chatKey: `c${String(n)}`, group: false }, send)));
    arrivals.sort((x, y) => x - y);
    const most = Math.max(...arrivals.map((at) => arrivals.filter((other) => other >= at && other < at + 1000).length));
    expect(most).toBeLessThanOrEqual(5);
    // And it uses the window: 60 sends at 5 per (1000 ms + latency) take about 12-14 windows, not more.
    expect((arrivals[arrivals.length - 1] ?? 0) - (arrivals[0] ?? 0)).toBeLessThan(15_000);
  });
});
