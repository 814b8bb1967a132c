/**
 * The Broadcast pages: a form to announce a message from the main bot to every user, the past
 * announcements, and one announcement's progress, which reloads itself every 2 s until it is done
 * (a meta refresh: no client script). The publisher context sends and counts
 * (svc.publisher.announce, announcement_status, list_announcements); these pages only show it.
 */
import { randomBytes } from 'node:crypto';
import { AnnouncementStatus, type Announcement } from '@nova/contracts';
import { html, type Html } from '../html.js';
import { words, type Say, type Words } from '../texts.js';
import { BASE, csrfField, describedBy, fieldError, page, type Frame, type PageFrame } from './layout.js';
import { dateOf } from './numbers.js';

/** Telegram's limit on a message's text, in UTF-16 code units. */
export const ANNOUNCEMENT_MAX = 4096;

/** An announcement's state as a stable code (the page's data-state) and the catalogue's selector. */
const STATE: Readonly<Record<number, string>> = {
  [AnnouncementStatus.PREPARING]: 'preparing',
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
export function announcementProblem(t: Say, text: string): string | undefined {
  if (text.trim() === '') return t('announcement-empty');
  if (text.length > ANNOUNCEMENT_MAX) return t('announcement-too-long', { length: text.length, max: ANNOUNCEMENT_MAX, over: text.length - ANNOUNCEMENT_MAX });
  if (text.includes('\u0000') || !text.isWellFormed()) return t('announcement-bad-character');
  return undefined;
}

/**
 * The Russian version: optional (blank means none, and everyone gets the message), else the same
 * limits as the message. Sent as AnnounceRequest.translations.ru: the publisher gives it to each
 * recipient who reads Russian (their /language choice, else their Telegram app's language).
 */
export function russianVersion(raw: string | null): string | undefined {
  const text = announcementText(raw);
  return text.trim() === '' ? undefined : text;
}

export function russianProblem(t: Say, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.length > ANNOUNCEMENT_MAX) return t('russian-too-long', { length: text.length, max: ANNOUNCEMENT_MAX, over: text.length - ANNOUNCEMENT_MAX });
  if (text.includes('\u0000') || !text.isWellFormed()) return t('russian-bad-character');
  return undefined;
}

export interface BroadcastPageView {
  /** Undefined when the publisher context did not answer. */
  readonly announcements: readonly Announcement[] | undefined;
  readonly error?: string;
  readonly text?: string;
  /** The Russian version as the admin wrote it, and what is wrong with it. */
  readonly russian?: string;
  readonly russianError?: string;
}

function stateOf(announcement: Announcement): string {
  return STATE[announcement.status] ?? 'unknown';
}

function summary(w: Words, a: Announcement): string {
  return w.t('announcement-summary', { sent: a.sent, blocked: a.blockedByUser, failed: a.failed, remaining: a.remaining });
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function broadcastPage(frame: Frame, view: BroadcastPageView): Html {
  const w = words(frame.locale);
  const { t } = w;
  const csrf = frame.session?.csrf ?? '';
  const past = view.announcements === undefined
    ? html`<p class="errors" role="alert">${t('publisher-silent')}</p>`
    : view.announcements.length === 0
      ? html`<p>${t('no-announcements')}</p>`
      : html`<table>
        <caption>${t('announcements-caption')}</caption>
        <thead><tr><th scope="col">${t('col-when')}</th><th scope="col">${t('col-by')}</th><th scope="col">${t('col-message')}</th><th scope="col">${t('col-state')}</th><th scope="col">${t('col-progress')}</th></tr></thead>
        <tbody>${view.announcements.map((a) => html`<tr>
          <td><a href="${BASE}broadcast/${a.id}">${w.date(dateOf(a.createdAt))}</a></td><td>${a.adminTelegramId}</td>
          <td>${excerpt(a.text)}</td><td>${t('announcement-state', { state: stateOf(a) })}</td><td>${summary(w, a)}</td>
        </tr>`)}</tbody></table>`;
  return page({ ...frame, title: t('broadcast-title'), section: 'broadcast' }, html`
    <h1>${t('broadcast-title')}</h1>
    <form method="post" action="${BASE}broadcast">
      <fieldset><legend>${t('broadcast-legend')}</legend>
      ${csrfField(csrf)}
      <input type="hidden" name="nonce" value="${randomBytes(16).toString('base64url')}">
      <label for="announcement-text">${t('message-label', { max: ANNOUNCEMENT_MAX })}</label>
      <textarea id="announcement-text" name="text" rows="6" maxlength="${ANNOUNCEMENT_MAX}" required${describedBy('announcement-text', view.error)}>${view.text ?? ''}</textarea>
      ${fieldError('announcement-text', view.error)}
      <label for="announcement-ru">${t('russian-label', { max: ANNOUNCEMENT_MAX })}</label>
      <textarea id="announcement-ru" name="text_ru" lang="ru" rows="6" maxlength="${ANNOUNCEMENT_MAX}"${describedBy('announcement-ru', view.russianError)}>${view.russian ?? ''}</textarea>
      ${fieldError('announcement-ru', view.russianError)}
      <p class="muted">${t('russian-hint')}</p>
      <p class="muted">${t('broadcast-hint')}</p>
      <button type="submit">${t('broadcast-send')}</button>
      </fieldset>
    </form>
    <h2>${t('heading-past-announcements')}</h2>
    ${past}
  `);
}

const RELOAD_SECONDS = 2;

/** One announcement's progress; reloads every 2 s until done. */
export function announcementPage(frame: Frame & Pick<PageFrame, 'notice'>, a: Announcement): Html {
  const w = words(frame.locale);
  const { t } = w;
  const done = a.status === AnnouncementStatus.DONE;
  const settled = a.sent + a.blockedByUser + a.failed;
  const title = t('announcement-title', { id: a.id.toString() });
  const count = (id: string, value: bigint | string, label: string): Html => html`<li><strong id="count-${id}">${typeof value === 'string' ? value : w.count(value)}</strong>${label}</li>`;
  return page({ ...frame, title, section: 'broadcast', ...(done ? {} : { refreshSeconds: RELOAD_SECONDS }) }, html`
    <h1>${title}</h1>
    <p>${t('announcement-state-label')} <strong id="announcement-state" data-state="${stateOf(a)}">${t('announcement-state', { state: stateOf(a) })}</strong>${done ? '' : html` <span class="muted">${t('announcement-updates', { seconds: RELOAD_SECONDS })}</span>`}</p>
    <progress max="${a.recipients > 0n ? a.recipients : 1n}" value="${a.recipients > 0n ? settled : (done ? 1n : 0n)}" aria-label="${t('announcement-progress-label')}">${t('announcement-progress', { settled, recipients: a.recipients })}</progress>
    <ul class="cards" aria-label="${t('announcement-progress-cards')}">
      ${count('recipients', a.recipients, t('count-recipients'))}
      ${count('sent', a.sent, t('count-sent'))}
      ${count('blocked', a.blockedByUser, t('count-blocked'))}
      ${count('failed', a.failed, t('count-failed'))}
      ${count('remaining', a.remaining, t('count-remaining'))}
      ${count('rate', w.decimal(a.ratePerSecond), t('count-rate'))}
    </ul>
    <dl>
      <dt>${t('sent-by')}</dt><dd>${a.adminTelegramId}</dd>
      <dt>${t('started')}</dt><dd>${w.date(dateOf(a.createdAt))}</dd>
      <dt>${t('finished')}</dt><dd>${w.date(dateOf(a.finishedAt))}</dd>
    </dl>
    <h2>${t('heading-message')}</h2>
    <pre class="announcement">${a.text}</pre>
    ${a.translations['ru'] === undefined ? '' : html`<h2>${t('heading-russian-version')}</h2>
    <pre class="announcement" lang="ru" id="announcement-ru">${a.translations['ru']}</pre>`}
    <p><a href="${BASE}broadcast">${t('all-announcements')}</a></p>
  `);
}
