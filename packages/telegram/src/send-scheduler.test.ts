import { describe, expect, it } from '@jest/globals';
import { TelegramClientClosedError, TelegramQueueFullError } from './errors.js';
import { SendScheduler } from './send-scheduler.js';
import type { RateLimitSettings } from './settings.js';

const FAST: RateLimitSettings = {
  perChat: { burst: 1, intervalMs: 300 },
  perGroup: { limit: 2, windowMs: 400 },
  perBot: { limit: 100, windowMs: 1000 },
  maxQueuedPerChat: 10,
  maxQueued: 50,
};

function recorder(): { log: { key: string; at: number }[]; task: (key: string) => () => Promise<string> } {
  const log: { key: string; at: number }[] = [];
  return { log, task: (key) => () => { log.push({ key, at: Date.now() }); return Promise.resolve(key); } };
}

describe('SendScheduler', () => {
  it('paces one chat, in order, while another chat goes out at once', async () => {
    const scheduler = new SendScheduler('1', FAST);
    const { log, task } = recorder();
    const flood = [1, 2, 3, 4].map((n) => scheduler.run('sendMessage', { chatKey: 'A', group: false }, task(`A${String(n)}`)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await scheduler.run('sendMessage', { chatKey: 'B', group: false }, task('B1'));
    await Promise.all(flood);
    expect(log.map((entry) => entry.key)).toEqual(['A1', 'B1', 'A2', 'A3', 'A4']);
    const gaps = log.filter((entry) => entry.key.startsWith('A')).map((entry, index, all) => (index === 0 ? 300 : entry.at - (all[index - 1]?.at ?? 0)));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(295);
  });

  it('holds a group to its window', async () => {
    const scheduler = new SendScheduler('1', { ...FAST, perChat: { burst: 10, intervalMs: 1 } });
    const { log, task } = recorder();
    await Promise.all([1, 2, 3].map((n) => scheduler.run('sendMessage', { chatKey: '-5', group: true }, task(`G${String(n)}`))));
    expect((log[2]?.at ?? 0) - (log[0]?.at ?? 0)).toBeGreaterThanOrEqual(395);
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
});
