/**
 * What each Telegram client failure means to the publisher: refused for good, not sent because
 * Telegram failed, not sent because the bot was busy (a wait, not a failure, with Telegram's
 * retry_after kept), or unknown (the call may have been posted).
 */
import { describe, expect, it } from '@jest/globals';
import { CircuitOpenError } from '@nova/resilience';
import { TelegramApiError, TelegramQueueFullError, TelegramRateLimitError, TelegramSendNotStartedError, TelegramTransportError } from '@nova/telegram';
import { UnavailableError } from '@nova/domain';
import { ChannelNotSentError, ChannelRefusedError } from '../domain/index.js';
import { SendBudgetUnavailableError } from './bot-send-leases.js';
import { publisherTelegramError } from './telegram-failures.js';

const classify = (error: unknown): Error => publisherTelegramError('sendMessage', 'bot 7', error);

describe('publisherTelegramError', () => {
  it('refuses for good on a 4xx other than 429', () => {
    expect(classify(new TelegramApiError('sendMessage', '7', { error_code: 403, description: 'Forbidden: bot was kicked from the channel chat' }))).toBeInstanceOf(ChannelRefusedError);
  });

  it('says busy, not failed, when the bot had no room for the message, and keeps a 429\'s retry_after', () => {
    const limited = classify(new TelegramRateLimitError('sendMessage', '7', { error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }));
    expect(limited).toMatchObject({ busy: true, retryAfterMs: 3_000 });
    for (const error of [new TelegramQueueFullError('sendMessage', '7', 'bot', 5_000), new SendBudgetUnavailableError('7', 'publisher-b', 60_000), new TelegramSendNotStartedError('sendMessage', '7')]) {
      const mapped = classify(error);
      expect(mapped).toBeInstanceOf(ChannelNotSentError);
      expect(mapped).toMatchObject({ busy: true, retryAfterMs: undefined });
    }
  });

  it('says not sent, and not busy, when Telegram failed with an answer or the circuit is open', () => {
    for (const error of [new TelegramApiError('sendMessage', '7', { error_code: 502, description: 'Bad Gateway' }), new CircuitOpenError('telegram:7', Date.now() + 10_000, undefined)]) {
      const mapped = classify(error);
      expect(mapped).toBeInstanceOf(ChannelNotSentError);
      expect(mapped).toMatchObject({ busy: false });
    }
  });

  it('leaves the outcome unknown when Telegram never answered', () => {
    const mapped = classify(new TelegramTransportError('sendMessage', '7', 'timeout', 'no answer in 30 s'));
    expect(mapped).toBeInstanceOf(UnavailableError);
    expect(mapped).not.toBeInstanceOf(ChannelNotSentError);
  });
});
