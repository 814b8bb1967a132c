import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AnnouncementSchema, AnnouncementStatus } from '@nova/contracts';
import { announcementPage, announcementProblem, announcementText, broadcastPage } from './broadcast.js';

const session = { admin: { adminId: 70_001n, name: '@boss', sid: 's', expiresAt: new Date(Date.now() + 60_000) }, csrf: 'csrf-token' };

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
    expect(announcementProblem(announcementText(Array.from({ length: 2048 }, () => 'x').join('\r\n')))).toBeUndefined();
  });

  it('says what is wrong in words: empty, too long (by how much), unsendable', () => {
    expect(announcementProblem('  \n ')).toBe('Write the message to send: it is empty.');
    expect(announcementProblem('x'.repeat(4096))).toBeUndefined();
    expect(announcementProblem('x'.repeat(4100))).toBe('The message is 4100 characters long; Telegram takes at most 4096. Shorten it by 4.');
    expect(announcementProblem('a\u0000')).toBe('The message contains a character that cannot be sent.');
  });
});

describe('the broadcast pages', () => {
  it('reload every 2 seconds while sending and stop once done, escaping the text, with no script', () => {
    const sending = announcementPage({ session }, announcement(AnnouncementStatus.SENDING)).text;
    expect(sending).toContain('<meta http-equiv="refresh" content="2">');
    expect(sending).toContain('data-state="sending"');
    expect(sending).toContain('Maintenance &lt;tonight&gt; &amp; &quot;soon&quot;');
    expect(sending).toContain('<strong id="count-remaining">9</strong>');
    expect(sending).not.toContain('<script');
    const done = announcementPage({ session }, announcement(AnnouncementStatus.DONE)).text;
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('data-state="done"');
  });

  it('has a form with the CSRF token and a fresh nonce each time, and says when the publisher did not answer', () => {
    const one = broadcastPage({ session }, { announcements: [announcement(AnnouncementStatus.DONE)] }).text;
    const two = broadcastPage({ session }, { announcements: [] }).text;
    expect(one).toContain('name="csrf" value="csrf-token"');
    const nonce = (page: string) => /name="nonce" value="([^"]+)"/.exec(page)?.[1];
    expect(nonce(one)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(nonce(one)).not.toBe(nonce(two));
    expect(one).toContain('href="/admin/broadcast/3"');
    expect(two).toContain('No announcement was sent yet.');
    expect(broadcastPage({ session }, { announcements: undefined, error: 'Write the message to send: it is empty.', text: 'x' }).text).toContain('aria-invalid="true"');
  });
});
