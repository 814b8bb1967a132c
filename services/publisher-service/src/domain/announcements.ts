/**
 * Announcements: an admin's message from the main bot to every user's private chat (the admin
 * panel's Broadcast page, issue 19).
 *
 * Why the publisher context owns them: it is the context that sends one message to many chats.
 * Its broadcaster (broadcast.ts) already has everything a broadcast needs: durable per-destination
 * rows, leases claimed with FOR UPDATE SKIP LOCKED, a settle per row, pacing by the bot's Telegram
 * client (30 messages a second per bot, 429 retry_after honoured, the bot's budget shared by the
 * replicas through the send leases) and a documented duplicate bound under kill -9. It already
 * holds the main bot (the owner's reports go out from it). An announcement is one more kind of
 * rows for the same pipeline (`runPipeline`), not a second sender. What it does not own is asked
 * over the bus: the recipients from the users context (svc.user.list_recipients: every user not
 * blocked by an admin), never its tables. The admin panel asks it over the bus too
 * (svc.publisher.announce / announcement_status / list_announcements) and keeps the audit entry.
 *
 * The flow: `announce` stores the announcement (PREPARING) and its work item
 * (nova.publisher.announcement_requested) in one transaction, once per idempotency key (a double
 * click or a retried POST answers the first one). The work item's worker lists the recipients page
 * by page into announcement_deliveries (primary key (announcement, chat), so a page listed twice
 * after a crash adds nothing; the cursor is kept with the rows), turns it SENDING, and sends through
 * the main bot's pipeline until every row is settled: sent, or refused for good (a 403, the user
 * blocked the bot, is counted and never retried), then DONE.
 *
 * Languages (issue 24): an announcement may carry versions by language (`translations`, "en" and
 * "ru") besides its text; the users context lists each recipient with the language they read, the
 * row keeps it, and each recipient gets the version in their language, else the text. So one
 * broadcast reaches each person in their own language, not the admin's.
 *
 * Duplicates: each row is sent at most once, except what a kill -9 can double, as for a post
 * (broadcast.ts): the sends in flight whose settle had not committed, at most one bot's per-second
 * limit (30). A user blocked by an admin after the listing still gets it (the list is taken once).
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnouncementRequestedSchema,
  AnnouncementSchema,
  AnnouncementStatus,
  AnnounceResponseSchema,
  eventMsgId,
  GetAnnouncementStatusResponseSchema,
  ListAnnouncementsResponseSchema,
  type Announcement as AnnouncementMessage,
  type AnnounceRequest,
  type AnnounceResponse,
  type EventMessage,
  type GetAnnouncementStatusRequest,
  type GetAnnouncementStatusResponse,
  type ListAnnouncementsRequest,
  type ListAnnouncementsResponse,
} from '@nova/contracts';
import { appendToOutbox, InvalidArgumentError, NotFoundError, outboxRecord, UnavailableError, type Clock, type EventPublisher, type HandlerContext } from '@nova/domain';
import { parseLocale, type Locale } from '@nova/i18n';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPipeline, type DeliveryRows, type PipelineDeps, type SendTo } from './broadcast.js';
import type { PublisherDatabase } from './database.js';
import { flushPublisherOutbox } from './outbox-store.js';
import type { SendOptions } from './ports.js';
import { MAX_TEXT } from './validation.js';
import { refusal } from './refuse.js';

/** Telegram's answer to a message for a user who blocked the bot (or never started it). */
export const BLOCKED_BY_USER = 403;
const MAX_KEY = 200;
/** Recipients asked of the users context per page. */
export const RECIPIENTS_PAGE = 1_000;
/** The window of the live rate. */
const RATE_WINDOW_MS = 10_000;

/** The main bot as an announcement's sender; throws like a ChannelTelegram (ChannelRefusedError, ChannelNotSentError, else unknown). */
export interface AnnouncementTelegram {
  sendAnnouncement(chatId: bigint, text: string, options?: SendOptions): Promise<{ readonly messageId: bigint }>;
}

/** One recipient as the users context lists them: their id (their private chat's) and the language they read, when it says. */
export interface AnnouncementRecipient {
  readonly telegramId: bigint;
  readonly locale: Locale | undefined;
}

/** Who an announcement goes to: the users context's users not blocked by an admin, in id order (svc.user.list_recipients). */
export interface AnnouncementRecipients {
  page(afterTelegramId: bigint, limit: number): Promise<{ readonly recipients: readonly AnnouncementRecipient[]; readonly done: boolean }>;
}

export interface AnnouncementDeps extends PipelineDeps {
  readonly db: PublisherDatabase;
  readonly publisher: EventPublisher;
  readonly telegram: AnnouncementTelegram;
  readonly recipients: AnnouncementRecipients;
  readonly clock: Clock;
}

/** The versions of an announcement by language, as stored (a subset of the locales). */
export type AnnouncementTranslations = Readonly<Partial<Record<Locale, string>>>;

export interface ValidAnnouncement {
  readonly text: string;
  readonly translations: AnnouncementTranslations;
  readonly adminTelegramId: bigint;
  readonly idempotencyKey: string;
}

/** One text's checks (the text, or a version in a language), naming the field and which one it is. */
function checkText(text: string, field: string, version: string): void {
  if (text.trim() === '') throw refusal(InvalidArgumentError, 'announcement-empty', { version }, { field });
  // UTF-16 code units, as Telegram counts a message's length.
  if (text.length > MAX_TEXT) throw refusal(InvalidArgumentError, 'announcement-too-long', { version, length: String(text.length), max: String(MAX_TEXT) }, { field });
  if (text.includes('\u0000')) throw refusal(InvalidArgumentError, 'announcement-nul', { version }, { field });
  // A lone UTF-16 surrogate cannot be stored in the translations' JSON (PostgreSQL refuses its escape) nor sent as typed.
  if (!text.isWellFormed()) throw refusal(InvalidArgumentError, 'announcement-broken-character', { version }, { field });
}

/** The request's checks, with messages a person can act on; nothing is stored when one fails. */
export function validAnnouncement(request: Pick<AnnounceRequest, 'text' | 'adminTelegramId' | 'idempotencyKey'> & { readonly translations?: Readonly<Record<string, string>> }): ValidAnnouncement {
  checkText(request.text, 'text', 'text');
  const translations: Partial<Record<Locale, string>> = {};
  for (const [language, text] of Object.entries(request.translations ?? {})) {
    const locale = parseLocale(language);
    if (locale === undefined) throw refusal(InvalidArgumentError, 'translation-language', { language: language.slice(0, 16) }, { field: 'translations' });
    checkText(text, `translations.${locale}`, locale);
    translations[locale] = text;
  }
  if (request.adminTelegramId <= 0n) throw refusal(InvalidArgumentError, 'admin-required', {}, { field: 'admin_telegram_id' });
  if (request.idempotencyKey === '' || request.idempotencyKey.length > MAX_KEY) {
    throw refusal(InvalidArgumentError, 'idempotency-key', { max: String(MAX_KEY) }, { field: 'idempotency_key' });
  }
  return { text: request.text, translations, adminTelegramId: request.adminTelegramId, idempotencyKey: request.idempotencyKey };
}

/** What a recipient who reads `locale` gets: the version in their language, else the text. */
export function announcementTextFor(announcement: { readonly text: string; readonly translations: AnnouncementTranslations }, locale: Locale | undefined): string {
  return (locale === undefined ? undefined : announcement.translations[locale]) ?? announcement.text;
}

/** The stored translations column as the versions it holds (anything else in it is ignored). */
export function storedTranslations(value: unknown): AnnouncementTranslations {
  const translations: Partial<Record<Locale, string>> = {};
  if (typeof value !== 'object' || value === null) return translations;
  for (const [language, text] of Object.entries(value)) {
    const locale = parseLocale(language);
    if (locale !== undefined && typeof text === 'string') translations[locale] = text;
  }
  return translations;
}

/** The counts of an announcement's rows. */
export interface DeliveryCounts {
  readonly recipients: number;
  readonly sent: number;
  readonly blockedByUser: number;
  readonly failed: number;
  /** Sent in the last RATE_WINDOW_MS. */
  readonly recentlySent: number;
}

interface AnnouncementRow {
  readonly id: bigint;
  readonly text: string;
  /** The stored JSON of the versions by language. */
  readonly translations: unknown;
  readonly adminTelegramId: bigint;
  readonly status: 'PREPARING' | 'SENDING' | 'DONE';
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

const STATUS = { PREPARING: AnnouncementStatus.PREPARING, SENDING: AnnouncementStatus.SENDING, DONE: AnnouncementStatus.DONE } as const;

/** The progress as the request answers it: remaining is what has no outcome yet, the rate over the last 10 s. */
export function announcementMessage(row: AnnouncementRow, counts: DeliveryCounts): AnnouncementMessage {
  return create(AnnouncementSchema, {
    id: row.id,
    text: row.text,
    translations: { ...storedTranslations(row.translations) },
    adminTelegramId: row.adminTelegramId,
    status: STATUS[row.status],
    createdAt: timestampFromDate(row.createdAt),
    ...(row.finishedAt === null ? {} : { finishedAt: timestampFromDate(row.finishedAt) }),
    recipients: BigInt(counts.recipients),
    sent: BigInt(counts.sent),
    blockedByUser: BigInt(counts.blockedByUser),
    failed: BigInt(counts.failed),
    remaining: BigInt(Math.max(0, counts.recipients - counts.sent - counts.blockedByUser - counts.failed)),
    ratePerSecond: row.status === 'DONE' ? 0 : counts.recentlySent / (RATE_WINDOW_MS / 1000),
  });
}

const NO_ROWS: DeliveryCounts = { recipients: 0, sent: 0, blockedByUser: 0, failed: 0, recentlySent: 0 };

/** Counts for each announcement, in one query. */
async function countsOf(db: PublisherDatabase, ids: readonly bigint[], now: Date): Promise<Map<bigint, DeliveryCounts>> {
  if (ids.length === 0) return new Map();
  const since = new Date(now.getTime() - RATE_WINDOW_MS);
  const rows = await db.$queryRaw<{ id: bigint; recipients: bigint; sent: bigint; blocked: bigint; failed: bigint; recent: bigint }[]>`
    SELECT announcement_id AS id,
           count(*) AS recipients,
           count(sent_at) AS sent,
           count(*) FILTER (WHERE error_code = ${BLOCKED_BY_USER}) AS blocked,
           count(*) FILTER (WHERE error_code IS NOT NULL AND error_code <> ${BLOCKED_BY_USER}) AS failed,
           count(*) FILTER (WHERE sent_at >= ${since}) AS recent
      FROM publisher_service.announcement_deliveries
     WHERE announcement_id = ANY(${[...ids]}::bigint[])
     GROUP BY announcement_id`;
  return new Map(rows.map((row) => [row.id, { recipients: Number(row.recipients), sent: Number(row.sent), blockedByUser: Number(row.blocked), failed: Number(row.failed), recentlySent: Number(row.recent) }]));
}

async function view(db: PublisherDatabase, row: AnnouncementRow, now: Date): Promise<AnnouncementMessage> {
  return announcementMessage(row, (await countsOf(db, [row.id], now)).get(row.id) ?? NO_ROWS);
}

/** svc.publisher.announce: once per idempotency key, with its work item in the same transaction. */
export function announceHandler(deps: Pick<AnnouncementDeps, 'db' | 'publisher' | 'clock'>) {
  return async (request: AnnounceRequest, _ctx: HandlerContext): Promise<AnnounceResponse> => {
    const valid = validAnnouncement(request);
    const { id, created } = await deps.db.$transaction(async (tx) => {
      const inserted = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO publisher_service.announcements (idempotency_key, admin_telegram_id, text, translations, status, created_at)
        VALUES (${valid.idempotencyKey}, ${valid.adminTelegramId}, ${valid.text}, ${JSON.stringify(valid.translations)}::jsonb, 'PREPARING', ${deps.clock()})
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id`;
      const first = inserted[0];
      if (first === undefined) {
        const existing = await tx.announcement.findUniqueOrThrow({ where: { idempotencyKey: valid.idempotencyKey }, select: { id: true } });
        return { id: existing.id, created: false };
      }
      const item = create(AnnouncementRequestedSchema, { announcementId: first.id });
      await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.publisher.announcement_requested', item, eventMsgId('nova.publisher.announcement_requested', first.id))]);
      return { id: first.id, created: true };
    });
    // The relay retries what fails here; the announcement and its work item are committed.
    if (created) await flushPublisherOutbox(deps.db, deps.publisher).catch(() => undefined);
    const row = await deps.db.announcement.findUniqueOrThrow({ where: { id } });
    return create(AnnounceResponseSchema, { announcement: await view(deps.db, row, deps.clock()), created });
  };
}

/** svc.publisher.announcement_status. */
export function announcementStatusHandler(deps: Pick<AnnouncementDeps, 'db' | 'clock'>) {
  return async (request: GetAnnouncementStatusRequest, _ctx: HandlerContext): Promise<GetAnnouncementStatusResponse> => {
    const row = await deps.db.announcement.findUnique({ where: { id: request.announcementId } });
    if (row === null) throw refusal(NotFoundError, 'announcement-not-found', { announcement: request.announcementId.toString() }, { announcement_id: request.announcementId.toString() });
    return create(GetAnnouncementStatusResponseSchema, { announcement: await view(deps.db, row, deps.clock()) });
  };
}

/** svc.publisher.list_announcements: newest first. */
export function listAnnouncementsHandler(deps: Pick<AnnouncementDeps, 'db' | 'clock'>) {
  return async (request: ListAnnouncementsRequest, _ctx: HandlerContext): Promise<ListAnnouncementsResponse> => {
    if (request.limit < 0 || request.limit > 100) throw refusal(InvalidArgumentError, 'limit-range', { max: '100' }, { field: 'limit' });
    const rows = await deps.db.announcement.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: request.limit === 0 ? 20 : request.limit });
    const counts = await countsOf(deps.db, rows.map((row) => row.id), deps.clock());
    return create(ListAnnouncementsResponseSchema, { announcements: rows.map((row) => announcementMessage(row, counts.get(row.id) ?? NO_ROWS)) });
  };
}

/** The worker of an announcement's work item; `stopping` aborts at a graceful stop (the item goes to another replica). */
export type AnnouncementWorker = (request: EventMessage<'nova.publisher.announcement_requested'>, stopping?: AbortSignal) => Promise<void>;

/**
 * Lists the recipients, sends, and returns when every row is settled. Waiting is not failing (as
 * for a post, publication.ts): rows held by another sender or a busy bot are waited for, looking
 * every `pollMs`. Telegram failing for the main bot (5xx, an open circuit, no answer) or the
 * database fails the delivery, and the bus retries it with backoff.
 */
export function announcementWorker(deps: AnnouncementDeps, options: { readonly pollMs?: number } = {}): AnnouncementWorker {
  const pollMs = options.pollMs ?? 500;
  return async (request, stopping) => {
    const id = request.announcementId;
    // Each claimed row's language, read with the claim: the send picks the recipient's version by it.
    const localeOf = new Map<bigint, Locale | undefined>();
    const rows = announcementRows(deps.db, id, localeOf);
    for (;;) {
      const announcement = await deps.db.announcement.findUnique({ where: { id } });
      if (announcement === null || announcement.status === 'DONE') return;
      if (announcement.status === 'PREPARING') await listRecipients(deps, id, announcement.listedThrough, stopping);
      const versions = { text: announcement.text, translations: storedTranslations(announcement.translations) };
      const send: SendTo = (chatId, startBy) => deps.telegram.sendAnnouncement(chatId, announcementTextFor(versions, localeOf.get(chatId)), { startBy });
      const run = await runPipeline(deps, rows, send, 'announcement', stopping);
      const left = await deps.db.announcementDelivery.count({ where: { announcementId: id, sentAt: null, errorCode: null } });
      if (left === 0) {
        await deps.db.announcement.updateMany({ where: { id, status: 'SENDING' }, data: { status: 'DONE', finishedAt: deps.clock() } });
        return;
      }
      if (stopping?.aborted === true) throw new UnavailableError(`announcement ${id.toString()}: stopped with ${String(left)} recipients left`, { announcement_id: id.toString() });
      if (run.failedTransiently) throw new UnavailableError(`announcement ${id.toString()}: Telegram failed transiently for the main bot, ${String(left)} recipients left`, { announcement_id: id.toString() });
      // Only waiting: rows another sender holds, or a busy bot (never sooner than a 429's retry_after).
      await sleep(Math.max(pollMs, run.retryAfterMs ?? 0), undefined, stopping === undefined ? {} : { signal: stopping });
    }
  };
}

/** Pages through the users context into rows; the cursor moves in the page's transaction, so a crash repeats at most one page (its rows already there). */
async function listRecipients(deps: AnnouncementDeps, id: bigint, from: bigint, stopping: AbortSignal | undefined): Promise<void> {
  let after = from;
  for (;;) {
    if (stopping?.aborted === true) throw new UnavailableError(`announcement ${id.toString()}: stopped while listing recipients`, { announcement_id: id.toString() });
    const page = await deps.recipients.page(after, RECIPIENTS_PAGE);
    const last = page.recipients.at(-1)?.telegramId;
    await deps.db.$transaction(async (tx) => {
      if (page.recipients.length > 0) {
        const data = page.recipients.map((recipient) => ({ announcementId: id, chatId: recipient.telegramId, locale: recipient.locale ?? '' }));
        await tx.announcementDelivery.createMany({ data, skipDuplicates: true });
      }
      await tx.announcement.updateMany({
        where: { id, status: 'PREPARING' },
        data: { ...(last === undefined ? {} : { listedThrough: last }), ...(page.done ? { status: 'SENDING' } : {}) },
      });
    });
    if (page.done) return;
    if (last === undefined) throw new UnavailableError(`announcement ${id.toString()}: the users context answered an empty page that is not the last`, { announcement_id: id.toString() });
    after = last;
  }
}

/** An announcement's rows, in chat id order; each claimed row's language goes into `localeOf`. */
function announcementRows(db: PublisherDatabase, id: bigint, localeOf: Map<bigint, Locale | undefined>): DeliveryRows {
  const key = (chatId: bigint) => ({ announcementId_chatId: { announcementId: id, chatId } });
  return {
    async claim(now, leaseUntil, limit) {
      const rows = await db.$queryRaw<{ chat_id: bigint; locale: string }[]>`
        UPDATE publisher_service.announcement_deliveries AS d
           SET lease_until = ${leaseUntil}
         WHERE (d.announcement_id, d.chat_id) IN (
           SELECT free.announcement_id, free.chat_id
             FROM publisher_service.announcement_deliveries AS free
            WHERE free.announcement_id = ${id}
              AND free.sent_at IS NULL AND free.error_code IS NULL
              AND (free.lease_until IS NULL OR free.lease_until < ${now})
            ORDER BY free.chat_id
            LIMIT ${limit}
            FOR UPDATE OF free SKIP LOCKED)
        RETURNING d.chat_id, d.locale`;
      for (const row of rows) localeOf.set(row.chat_id, parseLocale(row.locale));
      return rows.map((row) => row.chat_id);
    },
    async settleSent(chatId, messageId, at) {
      await db.announcementDelivery.update({ where: key(chatId), data: { leaseUntil: null, sentAt: at, messageId } });
      localeOf.delete(chatId);
    },
    async settleRefused(chatId, refusal) {
      await db.announcementDelivery.update({ where: key(chatId), data: { leaseUntil: null, errorCode: refusal.errorCode, failure: refusal.description } });
      localeOf.delete(chatId);
    },
    async free(chatIds) {
      await db.announcementDelivery.updateMany({ where: { announcementId: id, chatId: { in: [...chatIds] } }, data: { leaseUntil: null } });
    },
  };
}
