/**
 * The chaos run's delivery accounting (bench/src/chaos/traffic.ts, deliveryFigures): which updates
 * Telegram delivered, chat by chat. Pure: the updates as the run sent them and the emulator's
 * delivery attempts.
 */
import { describe, expect, it } from '@jest/globals';
import type { DeliveryAttempt } from '@nova/telegram-emulator';
import { deliveryFigures, type SentUpdate } from '../../bench/src/chaos/traffic.js';

const attempt = (botId: number, updateId: number, status: number, attemptNo = 1): DeliveryAttempt => ({ botId, updateId, attempt: attemptNo, at: 0, delivered: status >= 200 && status < 300, status });

describe('deliveryFigures', () => {
  it("counts two bots' updates that carry the same update_id as two (Telegram numbers updates per bot)", () => {
    // The emulator starts each bot's update_id at a random number between 100,000 and 900,000, as Telegram does:
    // a seed-7 run had two child bots whose ranges overlapped by 147 ids, and reported those 147 "still not delivered".
    const sent: SentUpdate[] = [
      { botId: 111, updateId: 104_200, chat: '81001:111' },
      { botId: 222, updateId: 104_200, chat: '81002:222' },
      { botId: 222, updateId: 104_201, chat: '81002:222' },
    ];
    const attempts = [attempt(111, 104_200, 200), attempt(222, 104_200, 503), attempt(222, 104_200, 200, 2), attempt(222, 104_201, 200)];
    const figures = deliveryFigures(sent, attempts);
    expect(figures.accepted).toBe(3);
    expect(Object.fromEntries(figures.acceptedIn)).toEqual({ '81001:111': 1, '81002:222': 2 });
    expect(figures).toMatchObject({ answered5xx: 1, delivered5xxLater: 1 });
  });

  it('leaves out attempts of updates the run did not send, and counts an update never answered 2xx as not accepted', () => {
    const sent: SentUpdate[] = [{ botId: 111, updateId: 500_000, chat: '81001:111' }, { botId: 111, updateId: 500_001, chat: '81001:111' }];
    const attempts = [attempt(111, 500_000, 200), attempt(111, 500_001, 502), attempt(111, 500_001, 502, 2), attempt(333, 500_001, 200)];
    expect(deliveryFigures(sent, attempts)).toEqual({ accepted: 1, acceptedIn: new Map([['81001:111', 1]]), answered5xx: 2, delivered5xxLater: 0 });
  });
});
