import { describe, expect, it } from '@jest/globals';
import type { PostDelivery } from '../generated/prisma/client.js';
import type { PostWithDeliveries } from './mapping.js';
import { reportText } from './report.js';
import { MAX_TEXT } from './validation.js';

function post(deliveries: readonly Partial<PostDelivery>[]): PostWithDeliveries {
  const at = new Date(0);
  return {
    id: 12n, ownerTelegramId: 1n, text: 'x', entities: [], photo: null, buttons: [], publishAt: at, status: 'PUBLISHED', createdAt: at, updatedAt: at,
    publishedAt: at, reportLeaseUntil: null, reportSentAt: null, reportFailure: null,
    deliveries: deliveries.map((delivery, position) => ({ postId: 12n, chatId: BigInt(-1000 - position), position, botId: 1n, leaseUntil: null, sentAt: null, messageId: null, errorCode: null, failure: null, ...delivery })),
  };
}

const KICKED = 'Forbidden: bot was kicked from the channel chat';

/** A broadcast to 1,000 channels, one in a hundred refused; `failure` null: refused without a description. */
function broadcast(failure: string | null = KICKED) {
  return post(Array.from({ length: 1_000 }, (_, n) => (n % 100 === 7 ? { errorCode: 403, failure } : { sentAt: new Date(0) })));
}

const WORDS = {
  en: {
    head: 'Post #12 published in 1 of 2 channels.',
    kicked: 'the bot was removed from this chat',
    broadcastHead: 'Post #12 published in 990 of 1,000 channels.',
    rest: '… and 990 sent.',
    notSent: 'not sent',
  },
  ru: {
    head: 'Пост #12 опубликован в 1 из 2 каналов.',
    kicked: 'бота удалили из этого чата',
    broadcastHead: 'Пост #12 опубликован в 990 из 1\u00a0000 каналов.',
    rest: '… и успешно: 990.',
    notSent: 'не отправлено',
  },
} as const;

describe.each(['en', 'ru'] as const)("the owner's report in %s", (locale) => {
  const words = WORDS[locale];

  it("names every channel of a post, in the owner's order, the reason beside a failed one in the owner's language", () => {
    const text = reportText(post([{ sentAt: new Date(0) }, { errorCode: 403, failure: KICKED }]), new Map([[-1000n, 'News']]), locale);
    expect(text).toBe(`${words.head}\n✓ News\n✗ -1001: ${words.kicked}`);
    // A description Nova does not word stays Telegram's own.
    expect(reportText(post([{ errorCode: 400, failure: 'Bad Request: MESSAGE_TOO_STRANGE' }]), new Map(), locale).split('\n')[1]).toBe('✗ -1000: Bad Request: MESSAGE_TOO_STRANGE');
    expect(reportText(post([{ errorCode: 400, failure: null }]), new Map(), locale).split('\n')[1]).toBe(`✗ -1000: ${words.notSent}`);
  });

  it("fits a broadcast's report into one message: the failures first, the rest counted", () => {
    const text = reportText(broadcast(), new Map(), locale);
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(text.split('\n')).toEqual([words.broadcastHead, ...Array.from({ length: 10 }, (_, n) => `✗ ${String(-1007 - n * 100)}: ${words.kicked}`), words.rest]);
  });

  it('stays within one message when even the failures do not fit, counting those left out', () => {
    const failures = post(Array.from({ length: 600 }, (_, n) => (n % 2 === 0 ? { errorCode: 403, failure: KICKED } : { sentAt: new Date(0) })));
    const text = reportText(failures, new Map(), locale);
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT);
    const lines = text.split('\n');
    const shown = lines.filter((line) => line.startsWith('✗ ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(300);
    expect(lines.at(-1)).toBe(locale === 'en' ? `… and ${String(300 - shown)} more failed, 300 sent.` : `… и с ошибкой ещё: ${String(300 - shown)}, успешно: 300.`);
  });
});
