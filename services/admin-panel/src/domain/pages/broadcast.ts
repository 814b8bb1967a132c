/**
 * The Broadcast pages: a form to announce a message from the main bot to every user, the past
 * announcements, and one announcement's progress, which reloads itself every 2 s until it is done
 * (a meta refresh: no client script). The publisher context sends and counts
 * (svc.publisher.announce, announcement_status, list_announcements); these pages only show it.
 */
import { randomBytes } from 'node:crypto';
import { AnnouncementStatus, type Announcement } from '@nova/contracts';
import { html, type Html } from '../html.js';
import { BASE, csrfField, describedBy, fieldError, formatDate, page, type PageFrame } from './layout.js';
import { dateOf } from './numbers.js';

/** Telegram's limit on a message's text, in UTF-16 code units. */
export const ANNOUNCEMENT_MAX = 4096;

const STATE: Readonly<Record<number, string>> = {
  [AnnouncementStatus.PREPARING]: 'listing recipients',
  [AnnouncementStatus.SENDING]: 'sending',
  [AnnouncementStatus.DONE]: 'done',
};

/**
 * The text as the main bot will send it: a browser posts a textarea's line breaks as CRLF, and
 * Telegram counts a line break as one character.
 */
export function announcementText(raw: string | null): string {
  return (raw ?? '').replace(/\r\n?/g, '\n');
}

/** What is wrong with the text, in words for the admin; undefined when it can be sent. */
export function announcementProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Write the message to send: it is empty.';
  if (text.length > ANNOUNCEMENT_MAX) return `The message is ${String(text.length)} characters long; Telegram takes at most ${String(ANNOUNCEMENT_MAX)}. Shorten it by ${String(text.length - ANNOUNCEMENT_MAX)}.`;
  if (text.includes('\u0000')) return 'The message contains a character that cannot be sent.';
  return undefined;
}

export interface BroadcastPageView {
  /** Undefined when the publisher context did not answer. */
  readonly announcements: readonly Announcement[] | undefined;
  readonly error?: string;
  readonly text?: string;
}

function stateOf(announcement: Announcement): string {
  return STATE[announcement.status] ?? 'unknown';
}

function summary(a: Announcement): string {
  return `${a.sent.toString()} sent, ${a.blockedByUser.toString()} blocked the bot, ${a.failed.toString()} failed, ${a.remaining.toString()} remaining`;
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function broadcastPage(frame: Pick<PageFrame, 'session'>, view: BroadcastPageView): Html {
  const csrf = frame.session?.csrf ?? '';
  const past = view.announcements === undefined
    ? html`<p class="errors" role="alert">The publisher did not answer: the past announcements cannot be shown now.</p>`
    : view.announcements.length === 0
      ? html`<p>No announcement was sent yet.</p>`
      : html`<table>
        <caption>Past announcements, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">By</th><th scope="col">Message</th><th scope="col">State</th><th scope="col">Progress</th></tr></thead>
        <tbody>${view.announcements.map((a) => html`<tr>
          <td><a href="${BASE}broadcast/${a.id}">${formatDate(dateOf(a.createdAt))}</a></td><td>${a.adminTelegramId}</td>
          <td>${excerpt(a.text)}</td><td>${stateOf(a)}</td><td>${summary(a)}</td>
        </tr>`)}</tbody></table>`;
  return page({ ...frame, title: 'Broadcast', section: 'broadcast' }, html`
    <h1>Broadcast</h1>
    <form method="post" action="${BASE}broadcast">
      <fieldset><legend>Announce from the main bot to every user</legend>
      ${csrfField(csrf)}
      <input type="hidden" name="nonce" value="${randomBytes(16).toString('base64url')}">
      <label for="announcement-text">Message (plain text, at most ${ANNOUNCEMENT_MAX} characters)</label>
      <textarea id="announcement-text" name="text" rows="6" maxlength="${ANNOUNCEMENT_MAX}" required${describedBy('announcement-text', view.error)}>${view.text ?? ''}</textarea>
      ${fieldError('announcement-text', view.error)}
      <p class="muted">Every user not blocked here gets it once, at Telegram's pace (30 messages a second); users who blocked the bot are counted, not retried.</p>
      <button type="submit">Send to every user</button>
      </fieldset>
    </form>
    <h2>Past announcements</h2>
    ${past}
  `);
}

/** One announcement's progress; reloads every 2 s until done. */
export function announcementPage(frame: Pick<PageFrame, 'session' | 'notice'>, a: Announcement): Html {
  const done = a.status === AnnouncementStatus.DONE;
  const settled = a.sent + a.blockedByUser + a.failed;
  return page({ ...frame, title: `Announcement ${a.id.toString()}`, section: 'broadcast', ...(done ? {} : { refreshSeconds: 2 }) }, html`
    <h1>Announcement ${a.id}</h1>
    <p>State: <strong id="announcement-state" data-state="${stateOf(a)}">${stateOf(a)}</strong>${done ? '' : html` <span class="muted">(this page updates every 2 seconds)</span>`}</p>
    <progress max="${a.recipients > 0n ? a.recipients : 1n}" value="${a.recipients > 0n ? settled : (done ? 1n : 0n)}" aria-label="Recipients with an outcome">${settled} of ${a.recipients}</progress>
    <ul class="cards" aria-label="Progress">
      <li><strong id="count-recipients">${a.recipients}</strong>recipients</li>
      <li><strong id="count-sent">${a.sent}</strong>sent</li>
      <li><strong id="count-blocked">${a.blockedByUser}</strong>blocked the bot or never started it (Telegram 403)</li>
      <li><strong id="count-failed">${a.failed}</strong>failed</li>
      <li><strong id="count-remaining">${a.remaining}</strong>remaining</li>
      <li><strong id="count-rate">${a.ratePerSecond.toFixed(1)}</strong>messages a second (last 10 s)</li>
    </ul>
    <dl>
      <dt>Sent by</dt><dd>${a.adminTelegramId}</dd>
      <dt>Started</dt><dd>${formatDate(dateOf(a.createdAt))}</dd>
      <dt>Finished</dt><dd>${formatDate(dateOf(a.finishedAt))}</dd>
    </dl>
    <h2>Message</h2>
    <pre class="announcement">${a.text}</pre>
    <p><a href="${BASE}broadcast">All announcements</a></p>
  `);
}
