import { describe, expect, it } from '@jest/globals';
import { AnnouncementStatus } from '@nova/contracts';
import { InvalidArgumentError } from '@nova/domain';
import { announcementMessage, announcementTextFor, storedTranslations, validAnnouncement } from './announcements.js';

const request = { text: 'Nova is down for maintenance at 02:00 UTC.', adminTelegramId: 70_001n, idempotencyKey: 'admin-announce:abc' };

function refusal(change: Partial<typeof request>): InvalidArgumentError {
  try {
    validAnnouncement({ ...request, ...change });
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('validAnnouncement', () => {
  it('takes a message up to Telegram\'s 4096 characters, counted in UTF-16 units as Telegram counts', () => {
    expect(validAnnouncement(request).text).toBe(request.text);
    expect(validAnnouncement({ ...request, text: 'x'.repeat(4096) }).text).toHaveLength(4096);
    // An emoji outside the BMP is two units: 2048 of them are exactly 4096.
    expect(() => validAnnouncement({ ...request, text: '🎉'.repeat(2048) })).not.toThrow();
    expect(refusal({ text: '🎉'.repeat(2048) + 'x' }).details).toEqual({ field: 'text', reason: 'announcement-too-long', version: 'text', length: '4097', max: '4096' });
    // The message is the catalogue's English (logs); people read the reason worded in their language.
    expect(refusal({ text: '🎉'.repeat(2048) + 'x' }).message).toBe('the message is 4,097 characters long: Telegram takes at most 4,096');
  });

  it('refuses an empty or blank text, a NUL, no admin and no key, naming the field', () => {
    expect(refusal({ text: '' }).details).toEqual({ field: 'text', reason: 'announcement-empty', version: 'text' });
    expect(refusal({ text: ' \n\t ' }).details).toMatchObject({ field: 'text' });
    expect(refusal({ text: 'a\u0000b' }).details).toMatchObject({ field: 'text' });
    expect(refusal({ adminTelegramId: 0n }).details).toMatchObject({ field: 'admin_telegram_id' });
    expect(refusal({ idempotencyKey: '' }).details).toMatchObject({ field: 'idempotency_key' });
    expect(refusal({ idempotencyKey: 'k'.repeat(201) }).details).toMatchObject({ field: 'idempotency_key' });
  });
});

describe("an announcement's versions by language", () => {
  it('takes a Russian and an English version, each checked as the text is, naming its field', () => {
    expect(validAnnouncement({ ...request, translations: { ru: 'Плановые работы в 02:00 UTC.' } }).translations).toEqual({ ru: 'Плановые работы в 02:00 UTC.' });
    expect(validAnnouncement(request).translations).toEqual({});
    expect(refusalOf({ translations: { de: 'Wartung' } })).toMatchObject({ message: 'a version may be in Russian or English only, not "de"', details: { field: 'translations', reason: 'translation-language', language: 'de' } });
    expect(refusalOf({ translations: { ru: ' ' } })).toMatchObject({ message: 'the Russian version is empty: write it, or send none', details: { field: 'translations.ru', reason: 'announcement-empty', version: 'ru' } });
    // At Telegram's limit in Russian: 4,096 units pass whole, one more is refused (a version is never cut).
    expect(validAnnouncement({ ...request, translations: { ru: 'я'.repeat(4096) } }).translations.ru).toHaveLength(4096);
    expect(refusalOf({ translations: { ru: 'я'.repeat(4097) } }).details).toMatchObject({ field: 'translations.ru', reason: 'announcement-too-long', length: '4097' });
    expect(refusalOf({ translations: { en: 'half an emoji \uD83D' } }).details).toMatchObject({ field: 'translations.en' });
  });

  it("gives each recipient the version in their language, else the text", () => {
    const versions = { text: 'Maintenance at 02:00 UTC.', translations: { ru: 'Плановые работы в 02:00 UTC.' } };
    expect(announcementTextFor(versions, 'ru')).toBe('Плановые работы в 02:00 UTC.');
    expect(announcementTextFor(versions, 'en')).toBe('Maintenance at 02:00 UTC.');
    expect(announcementTextFor(versions, undefined)).toBe('Maintenance at 02:00 UTC.');
    expect(announcementTextFor({ text: 'Hi', translations: {} }, 'ru')).toBe('Hi');
  });

  it('reads the stored column, ignoring anything that is not a version in a known language', () => {
    expect(storedTranslations({ ru: 'Привет', de: 'Hallo', en: 3 })).toEqual({ ru: 'Привет' });
    expect(storedTranslations(null)).toEqual({});
  });
});

function refusalOf(change: { readonly translations: Readonly<Record<string, string>> }): InvalidArgumentError {
  try {
    validAnnouncement({ ...request, ...change });
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('announcementMessage', () => {
  const row = { id: 7n, text: 'hi', translations: { ru: 'привет' }, adminTelegramId: 1n, createdAt: new Date('2026-12-04T21:00:00Z'), finishedAt: null };

  it('counts what has no outcome yet as remaining, and the rate over the last 10 seconds', () => {
    const message = announcementMessage({ ...row, status: 'SENDING' }, { recipients: 50, sent: 20, blockedByUser: 1, failed: 2, recentlySent: 150 });
    expect(message).toMatchObject({ status: AnnouncementStatus.SENDING, recipients: 50n, sent: 20n, blockedByUser: 1n, failed: 2n, remaining: 27n, ratePerSecond: 15, translations: { ru: 'привет' } });
    expect(message.finishedAt).toBeUndefined();
  });

  it('answers a done announcement with nothing remaining, no rate and its end', () => {
    const finishedAt = new Date('2026-12-04T21:00:05Z');
    const message = announcementMessage({ ...row, status: 'DONE', finishedAt }, { recipients: 3, sent: 2, blockedByUser: 1, failed: 0, recentlySent: 2 });
    expect(message).toMatchObject({ status: AnnouncementStatus.DONE, remaining: 0n, ratePerSecond: 0 });
    expect(message.finishedAt?.seconds).toBe(BigInt(finishedAt.getTime() / 1000));
  });
});
