import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AnnouncementSchema, AnnouncementStatus } from '@nova/contracts';
import { words } from '../texts.js';
import { announcementPage, announcementProblem, announcementText, broadcastPage, russianProblem, russianVersion } from './broadcast.js';

const session = { admin: { adminId: 70_001n, name: '@boss', sid: 's', expiresAt: new Date(Date.now() + 60_000) }, csrf: 'csrf-token' };
const en = { session, locale: 'en', here: '/admin/broadcast' } as const;
const ru = { ...en, locale: 'ru' } as const;
const t = words('en').t;

function announcement(status: AnnouncementStatus, text = 'Maintenance <tonight> & "soon"') {
  return create(AnnouncementSchema, {
    id: 3n, text, adminTelegramId: 70_001n, status, createdAt: timestampFromDate(new Date('2026-12-04T21:00:00Z')),
    recipients: 50n, sent: 40n, blockedByUser: 1n, failed: 0n, remaining: 9n, ratePerSecond: 29.5,
  });
}

describe('the announcement text', () => {
  it('counts a line break as Telegram does (the browser posts CRLF)', () => {
    expect(announcementText('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(announcementText(null)).toBe('');
    // 2048 lines of one character: 4095 characters after the browser's CRLF become LF.
    expect(announcementProblem(t, announcementText(Array.from({ length: 2048 }, () => 'x').join('\r\n')))).toBeUndefined();
  });

  it('says what is wrong in words: empty, too long (by how much), unsendable', () => {
    expect(announcementProblem(t, '  \n ')).toBe('Write the message to send: it is empty.');
    expect(announcementProblem(t, 'x'.repeat(4096))).toBeUndefined();
    expect(announcementProblem(t, 'x'.repeat(4100))).toBe('The message is 4,100 characters long; Telegram takes at most 4,096. Shorten it by 4.');
    expect(announcementProblem(t, 'a\u0000')).toBe('The message contains a character that cannot be sent.');
  });

  it('says it in Russian too, counting characters with Russian plurals', () => {
    const ru = words('ru').t;
    expect(announcementProblem(ru, ' ')).toBe('Напишите текст сообщения: сейчас оно пустое.');
    expect(announcementProblem(ru, 'x'.repeat(4097))).toBe('В сообщении 4\u00a0097 символов, а Telegram принимает не больше 4\u00a0096. Сократите его на 1 символ.');
    expect(announcementProblem(ru, 'x'.repeat(4098))).toContain('Сократите его на 2 символа.');
    expect(announcementProblem(ru, 'x'.repeat(4101))).toContain('Сократите его на 5 символов.');
    expect(announcementProblem(ru, 'x'.repeat(4117))).toContain('Сократите его на 21 символ.');
  });
});

describe('the Russian version', () => {
  it('is optional: blank means none (everyone gets the message), else checked as the message is', () => {
    expect(russianVersion(null)).toBeUndefined();
    expect(russianVersion(' \r\n ')).toBeUndefined();
    expect(russianVersion('Работы\r\nночью')).toBe('Работы\nночью');
    expect(russianProblem(t, undefined)).toBeUndefined();
    expect(russianProblem(t, 'я'.repeat(4096))).toBeUndefined();
    expect(russianProblem(t, 'я'.repeat(4100))).toBe('The Russian version is 4,100 characters long; Telegram takes at most 4,096. Shorten it by 4.');
    expect(russianProblem(words('ru').t, 'я'.repeat(4097))).toBe('В русской версии 4\u00a0097 символов, а Telegram принимает не больше 4\u00a0096. Сократите её на 1 символ.');
    expect(russianProblem(words('ru').t, 'a\u0000')).toBe('В русской версии есть символ, который нельзя отправить.');
    // Half an emoji would be refused by the publisher (its JSON column cannot hold it): said here first.
    expect(russianProblem(t, 'half \uD83D')).toBe('The Russian version contains a character that cannot be sent.');
  });

  it('has its own field on the form, kept with its problem after a refusal, and shows on the announcement\'s page', () => {
    const form = broadcastPage(en, { announcements: [], text: 'Works tonight', russian: 'Работы <ночью>', russianError: 'The Russian version contains a character that cannot be sent.' }).text;
    expect(form).toContain('<label for="announcement-ru">Russian version (optional, at most 4,096 characters)</label>');
    expect(form).toMatch(/<textarea id="announcement-ru" name="text_ru" lang="ru" rows="6" maxlength="4096" aria-invalid="true" aria-describedby="announcement-ru-error">Работы &lt;ночью&gt;<\/textarea>/u);
    expect(form).toContain('<p class="field-error" id="announcement-ru-error">The Russian version contains a character that cannot be sent.</p>');
    expect(broadcastPage(ru, { announcements: [] }).text).toContain('<label for="announcement-ru">Версия на русском (необязательно, не больше 4\u00a0096 символов)</label>');
    const withVersion = create(AnnouncementSchema, { ...announcement(AnnouncementStatus.DONE), translations: { ru: 'Работы ночью' } });
    expect(announcementPage(en, withVersion).text).toContain('<pre class="announcement" lang="ru" id="announcement-ru">Работы ночью</pre>');
    expect(announcementPage(en, announcement(AnnouncementStatus.DONE)).text).not.toContain('announcement-ru');
  });
});

describe('the broadcast pages', () => {
  it('reload every 2 seconds while sending and stop once done, escaping the text, with no script', () => {
    const sending = announcementPage(en, announcement(AnnouncementStatus.SENDING)).text;
    expect(sending).toContain('<meta http-equiv="refresh" content="2">');
    expect(sending).toContain('data-state="sending"');
    expect(sending).toContain('Maintenance &lt;tonight&gt; &amp; &quot;soon&quot;');
    expect(sending).toContain('<strong id="count-remaining">9</strong>');
    expect(sending).not.toContain('<script');
    const done = announcementPage(en, announcement(AnnouncementStatus.DONE)).text;
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('data-state="done"');
  });

  it('show an announcement\'s progress in Russian: the state in words, the same data-state, numbers as Russian writes them', () => {
    const sending = announcementPage(ru, announcement(AnnouncementStatus.SENDING)).text;
    expect(sending).toContain('<html lang="ru">');
    expect(sending).toContain('data-state="sending">отправляется</strong>');
    expect(sending).toContain('(страница обновляется раз в 2 секунды)');
    expect(sending).toContain('<strong id="count-rate">29,5</strong>');
    expect(sending).toContain('<dd>4 дек. 2026 г., 21:00 UTC</dd>');
    const list = broadcastPage(ru, { announcements: [announcement(AnnouncementStatus.DONE)] }).text;
    expect(list).toContain('<td>завершено</td><td>отправлено: 40, заблокировали бота: 1, ошибок: 0, осталось: 9</td>');
    expect(list).toContain('Сообщение (обычный текст, не больше 4\u00a0096 символов)');
  });

  it('has a form with the CSRF token and a fresh nonce each time, and says when the publisher did not answer', () => {
    const one = broadcastPage(en, { announcements: [announcement(AnnouncementStatus.DONE)] }).text;
    const two = broadcastPage(en, { announcements: [] }).text;
    expect(one).toContain('name="csrf" value="csrf-token"');
    const nonce = (page: string) => /name="nonce" value="([^"]+)"/.exec(page)?.[1];
    expect(nonce(one)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(nonce(one)).not.toBe(nonce(two));
    expect(one).toContain('href="/admin/broadcast/3"');
    expect(two).toContain('No announcement was sent yet.');
    expect(broadcastPage(en, { announcements: undefined, error: 'Write the message to send: it is empty.', text: 'x' }).text).toContain('aria-invalid="true"');
  });
});
