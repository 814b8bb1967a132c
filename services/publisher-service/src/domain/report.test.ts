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

describe('the owner\'s report', () => {
  it('names every channel of a post, in the owner\'s order', () => {
    const text = reportText(post([{ sentAt: new Date(0) }, { errorCode: 403, failure: 'Forbidden: bot was kicked from the channel chat' }]), new Map([[-1000n, 'News']]));
    expect(text).toBe('Post #12 published in 1 of 2 channels.\n✓ News\n✗ -1001: Forbidden: bot was kicked from the channel chat');
  });

  it('fits a broadcast\'s report into one message: the failures first, the rest counted', () => {
    const deliveries = Array.from({ length: 1_000 }, (_, n) => (n % 100 === 7 ? { errorCode: 403, failure: 'Forbidden: bot was kicked from the channel chat' } : { sentAt: new Date(0) }));
    const text = reportText(post(deliveries), new Map());
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(text.split('\n')).toEqual([
      'Post #12 published in 990 of 1000 channels.',
      ...Array.from({ length: 10 }, (_, n) => `✗ ${String(-1007 - n * 100)}: Forbidden: bot was kicked from the channel chat`),
      '… and 990 sent.',
    ]);
  });
});
