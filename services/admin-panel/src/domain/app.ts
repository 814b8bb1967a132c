/**
 * The admin panel's pages as one HTTP handler under /admin/, the same on the admin-panel service
 * and in the monolith. Every page but the sign-in page, the stylesheet and the migrations page's
 * script needs a session of an admin named in the configuration (checked on every request, so
 * removing an admin takes effect at once; the migrations' event stream is checked when it opens
 * and ends with its session); every change is a POST carrying the session's CSRF token. Other contexts are read and
 * changed only over the bus; the audit log is this context's own table.
 */
import { toJson } from '@bufbuild/protobuf';
import { InvalidArgumentError, NotFoundError, ServiceCallError, type Bus } from '@nova/bus';
import { AnnouncementSchema, BotSchema, SubscriptionSchema, UserSchema, wordRefusal, type Plan, type Subscription } from '@nova/contracts';
import type { AdminSignInLinks } from '@nova/domain';
import { parseLocale } from '@nova/i18n';
import type { HttpHandler, HttpReply, HttpRequest, Logger } from '@nova/platform';
import { recentActivity } from './activity.js';
import type { AuditLog, AuditStart } from './audit.js';
import type { Html } from './html.js';
import { LANGUAGE_PATH, languageCookie, languageReturn, localeOfRequest } from './language.js';
import { MigrationStreams } from './migration-stream.js';
import type { MigrationsFeed, MigrationsSource } from './migrations.js';
import { MIGRATIONS_SCRIPT } from './migrations-script.js';
import { auditPage } from './pages/audit.js';
import { announcementPage, announcementProblem, announcementText, broadcastPage, russianProblem, russianVersion, type BroadcastPageView } from './pages/broadcast.js';
import { problemPage } from './pages/errors.js';
import { BASE, type Frame, type Visit } from './pages/layout.js';
import { MIGRATION_EVENTS_PATH, migrationsPage } from './pages/migrations.js';
import { numbersPage } from './pages/numbers.js';
import { signInPage } from './pages/sign-in.js';
import { linkRefusedPage, signInLinkPage } from './pages/sign-in-link.js';
import { userPage, type UserPageView } from './pages/user.js';
import { usersPage } from './pages/users.js';
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie, type AdminSession, type SessionSigner } from './session.js';
import type { SignInLinkLedger } from './sign-in-links.js';
import type { StatsHistory } from './stats-history.js';
import { ADMIN_CSS } from './styles.js';
import { words, type Say } from './texts.js';
import { LoginRefusedError, verifyTelegramLogin } from './telegram-login.js';

export interface AdminPanelDeps {
  /** Where the other contexts answer (svc.user.*, svc.bot.*, svc.payment.*, svc.publisher.* for announcements). */
  readonly bus: Pick<Bus, 'request'>;
  readonly audit: AuditLog;
  readonly sessions: SessionSigner;
  /** Checks the one-time links the main bot sends admins (/admin); signed under the same session key. */
  readonly signInLinks: AdminSignInLinks;
  /** Which of those links were used, shared by every side and replica. */
  readonly linkLedger: SignInLinkLedger;
  /** Telegram user ids allowed in. */
  readonly admins: ReadonlySet<bigint>;
  /** The main bot's token: Telegram signs the Login Widget's data with it. Never shown or logged. */
  readonly loginBotToken: string;
  /** Shows Telegram's Login Widget on the sign-in page. */
  readonly loginBotUsername: string | undefined;
  /** How old a Telegram login may be. */
  readonly loginMaxAgeMs: number;
  readonly sessionTtlMs: number;
  readonly secureCookies: boolean;
  readonly migrations: MigrationsSource;
  /** The migrations' changes (one watch per process); without it the page only reloads itself. */
  readonly migrationsFeed?: MigrationsFeed;
  /** Event streams of open migrations pages at once. Default 100. */
  readonly maxMigrationStreams?: number;
  /** Comment on an idle event stream this often. Default 15 s. */
  readonly streamHeartbeatMs?: number;
  /** The numbers' history (the panel's own samples) and how often they are taken. */
  readonly statsHistory: StatsHistory;
  readonly statsIntervalMs: number;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** How long to wait for another context. Default 5 s. */
  readonly requestTimeoutMs?: number;
}

/** The route prefix both sides register (the `route` label of the request metrics). */
export const ADMIN_PREFIX = BASE;

/** Only form posts are taken; a person's form is small. */
export const ADMIN_BODY_LIMIT = 16 * 1024;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  // Scripts only from files the panel serves (the migrations page's; never inline) and Telegram's
  // Login Widget (script and its iframe); connections only to the panel (the migrations' event stream).
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' https://t.me https://telegram.org; script-src 'self' https://telegram.org; connect-src 'self'; frame-src https://oauth.telegram.org; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

const HTML_TYPE = 'text/html; charset=utf-8';
/** The numbers page charts the last 30 days, at most this many samples (the newest). */
const HISTORY_SPAN_MS = 30 * 86_400_000;
const HISTORY_LIMIT = 1_000;
const REASON_MAX = 500;
/** What a finished action's redirect names (?done=…): the catalogue's notice-done selector. */
const NOTICES: ReadonlySet<string> = new Set(['user-block', 'user-unblock', 'bot-block', 'bot-unblock', 'grant', 'revoke']);

/** A signed-in admin's request: the session, its CSRF token, and the visit (language, page). */
type Authed = Visit & { readonly admin: AdminSession; readonly csrf: string };

/** The frame of an admin's page. */
function on(authed: Authed): Frame {
  return { session: authed, locale: authed.locale, here: authed.here };
}

/** A page of the panel's own that is not there (the user or announcement asked for): its words are the panel's. */
class PageNotFound extends Error {
  override readonly name = 'PageNotFound';
  constructor(readonly what: 'no-such-user' | 'no-such-announcement', detail: string) {
    super(detail);
  }
}

/** A form the admin must correct: messages by field id, and the values to show again. */
class FormRefusal extends Error {
  override readonly name = 'FormRefusal';
  constructor(readonly errors: Readonly<Record<string, string>>, readonly values: Readonly<Record<string, string>>) {
    super('the form was not accepted');
  }
}

function htmlReply(status: number, body: Html, headers: Readonly<Record<string, string>> = {}): HttpReply {
  // A page's language follows the browser's Accept-Language and the switch's cookie.
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': HTML_TYPE, vary: 'Accept-Language, Cookie', ...headers }, body: body.text };
}

function redirect(location: string, headers: Readonly<Record<string, string>> = {}): HttpReply {
  return { status: 303, headers: { ...SECURITY_HEADERS, location, ...headers } };
}

/** A page of this panel to return to; anything else (another site, //host, a scheme) becomes the home page. */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || !next.startsWith(BASE) || next.startsWith('//') || /[\\\s]/.test(next) || next.startsWith(`${BASE}auth/`) || next.startsWith(`${BASE}sign-in`)) return BASE;
  return next;
}

function queryOf(url: string): URLSearchParams {
  const index = url.indexOf('?');
  return new URLSearchParams(index === -1 ? '' : url.slice(index + 1));
}

/** A Telegram id in a path segment or form field; undefined when it is not one. */
function idIn(text: string | null | undefined): bigint | undefined {
  return typeof text === 'string' && /^[1-9]\d{0,15}$/.test(text) ? BigInt(text) : undefined;
}

/** The reason field: trimmed, required (or not), bounded, no NUL (PostgreSQL text cannot hold it). */
function reasonIn(t: Say, form: URLSearchParams, field: string, required: boolean, errors: Record<string, string>, values: Record<string, string>): string {
  const reason = (form.get('reason') ?? '').trim();
  values[field] = reason;
  if (required && reason === '') errors[field] = t('reason-required');
  else if (reason.length > REASON_MAX) errors[field] = t('reason-too-long', { max: REASON_MAX });
  else if (reason.includes('\u0000')) errors[field] = t('reason-bad-character');
  return reason;
}

/**
 * The page a request is on, as a GET path of the panel (where the language switch returns): the
 * request's own for a GET; for a form's answer (a POST's path is no page), the page that sent it
 * when the browser says so, else the home page.
 */
function hereOf(request: HttpRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return request.url;
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return BASE;
  try {
    const url = new URL(referer);
    return url.host === request.headers.host ? url.pathname + url.search : BASE;
  } catch {
    return BASE;
  }
}

export function createAdminPanel(deps: AdminPanelDeps): HttpHandler {
  const clock = deps.clock ?? (() => new Date());
  const timeoutMs = deps.requestTimeoutMs ?? 5_000;
  const { bus, audit, sessions, logger } = deps;
  const cookieOptions = { secure: deps.secureCookies };

  const streams = deps.migrationsFeed === undefined
    ? undefined
    : new MigrationStreams({ feed: deps.migrationsFeed, maxClients: deps.maxMigrationStreams ?? 100, heartbeatMs: deps.streamHeartbeatMs ?? 15_000, clock });

  const ask: Bus['request'] = (subject, request, options) => bus.request(subject, request, { timeoutMs, ...options });

  function sessionOf(request: HttpRequest): AdminSession | undefined {
    const header = request.headers.cookie;
    return sessions.read(cookieValue(Array.isArray(header) ? header.join('; ') : header, SESSION_COOKIE), clock());
  }

  /** Runs an admin action with its audit entry around it: pending first, then done or failed. */
  async function audited<T>(entry: AuditStart, act: () => Promise<T>, describe: (answer: T) => { before?: unknown; after: unknown; targetId?: string }): Promise<T> {
    const id = await audit.start(entry, clock());
    logger.info({ admin: entry.adminId.toString(), action: entry.action, target: `${entry.targetKind}:${entry.targetId}`, audit: id.toString() }, 'admin action');
    try {
      const answer = await act();
      await audit.finish(id, { outcome: 'done', ...describe(answer) }, clock());
      return answer;
    } catch (error) {
      await audit.finish(id, { outcome: 'failed', error: error instanceof ServiceCallError ? error.message : 'the context did not answer' }, clock()).catch((auditError: unknown) => {
        logger.error({ err: auditError, audit: id.toString() }, 'could not record a failed admin action');
      });
      throw error;
    }
  }

  async function userView(authed: Authed, telegramId: bigint): Promise<UserPageView> {
    const { user } = await ask('svc.user.get', { telegramId }, { routingKey: telegramId });
    if (user === undefined) throw new PageNotFound('no-such-user', `no user ${telegramId.toString()}`);
    const [bots, payments, plans, entries, posts] = await Promise.all([
      ask('svc.bot.list', { ownerTelegramId: telegramId }, { routingKey: telegramId }),
      ask('svc.payment.list', { telegramId }, { routingKey: telegramId }).catch((error: unknown) => {
        logger.warn({ err: error }, 'the payments context did not answer for the user page');
        return undefined;
      }),
      ask('svc.payment.plans', {}).then((answer) => answer.plans).catch((): Plan[] => []),
      audit.recent({ subjectUser: telegramId, limit: 50 }),
      // Their posts, for the activity timeline only: a silent publisher leaves them out, not the page.
      ask('svc.publisher.list_posts', { ownerTelegramId: telegramId }, { routingKey: telegramId }).then((answer) => answer.posts).catch((error: unknown) => {
        logger.warn({ err: error }, 'the publisher context did not answer for the user page');
        return undefined;
      }),
    ]);
    const activity = recentActivity(words(authed.locale), { user, bots: bots.bots, posts, payments, audit: entries });
    return { user, bots: bots.bots, payments, plans, audit: entries, activity, postsUnknown: posts === undefined };
  }

  async function showUser(authed: Authed, telegramId: bigint, notice?: string, refusal?: FormRefusal): Promise<HttpReply> {
    const view = await userView(authed, telegramId);
    const page = userPage({ ...on(authed), ...(notice === undefined ? {} : { notice }) }, refusal === undefined ? view : { ...view, errors: refusal.errors, values: refusal.values });
    return htmlReply(refusal === undefined ? 200 : 422, page);
  }

  async function setUserBlocked(authed: Authed, telegramId: bigint, blocked: boolean, form: URLSearchParams): Promise<HttpReply> {
    const field = `user-${blocked ? 'block' : 'unblock'}-reason`;
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    const reason = reasonIn(words(authed.locale).t, form, field, blocked, errors, values);
    if (Object.keys(errors).length > 0) throw new FormRefusal(errors, values);
    await audited(
      { adminId: authed.admin.adminId, action: blocked ? 'user.block' : 'user.unblock', targetKind: 'user', targetId: telegramId.toString(), subjectUser: telegramId, reason },
      () => ask('svc.user.set_blocked', { telegramId, blocked, reason }, { routingKey: telegramId }),
      (answer) => ({ before: answer.before && toJson(UserSchema, answer.before), after: answer.after && toJson(UserSchema, answer.after) }),
    );
    return redirect(`${BASE}users/${telegramId.toString()}?done=user-${blocked ? 'block' : 'unblock'}`);
  }

  async function setBotBlocked(authed: Authed, botId: bigint, blocked: boolean, form: URLSearchParams): Promise<HttpReply> {
    const owner = idIn(form.get('owner'));
    const field = `bot-${botId.toString()}-${blocked ? 'block' : 'unblock'}-reason`;
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    const reason = reasonIn(words(authed.locale).t, form, field, blocked, errors, values);
    if (owner === undefined) return htmlReply(422, problemPage(on(authed), 422, words(authed.locale).t('bot-owner-missing')));
    if (Object.keys(errors).length > 0) throw new FormRefusal(errors, values);
    const { bot } = await ask('svc.bot.get', { botId });
    // The owner field only says where to return; the bot's real owner is what the audit records.
    const realOwner = bot?.ownerTelegramId ?? owner;
    await audited(
      { adminId: authed.admin.adminId, action: blocked ? 'bot.block' : 'bot.unblock', targetKind: 'bot', targetId: botId.toString(), subjectUser: realOwner, reason },
      () => ask('svc.bot.set_blocked', { botId, blocked, reason }),
      (answer) => ({ before: answer.before && toJson(BotSchema, answer.before), after: answer.after && toJson(BotSchema, answer.after) }),
    );
    return redirect(`${BASE}users/${realOwner.toString()}?done=bot-${blocked ? 'block' : 'unblock'}#bot-${botId.toString()}`);
  }

  async function grant(authed: Authed, telegramId: bigint, form: URLSearchParams): Promise<HttpReply> {
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    const reason = reasonIn(words(authed.locale).t, form, 'grant-reason', true, errors, values);
    const planId = form.get('plan') ?? '';
    values['grant-plan'] = planId;
    const plans = (await ask('svc.payment.plans', {})).plans;
    const plan = plans.find((candidate) => candidate.id === planId);
    const { t } = words(authed.locale);
    if (plan === undefined) errors['grant-plan'] = planId === '' ? t('choose-plan-error') : t('plan-not-offered');
    // One grant per rendered form: a double click or a resent form grants once (the payments context's effect key).
    const nonce = form.get('nonce') ?? '';
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) errors['grant-plan'] ??= t('form-incomplete');
    if (Object.keys(errors).length > 0 || plan === undefined) throw new FormRefusal(errors, values);
    const before = await ask('svc.payment.list', { telegramId }, { routingKey: telegramId });
    const activeOfKind = (subs: readonly Subscription[]) => subs.filter((s) => s.kind === plan.kind).map((s) => toJson(SubscriptionSchema, s));
    await audited(
      { adminId: authed.admin.adminId, action: 'subscription.grant', targetKind: 'user', targetId: telegramId.toString(), subjectUser: telegramId, reason, before: { plan: planId, subscriptions: activeOfKind(before.subscriptions) } },
      () => ask('svc.payment.grant', { telegramId, planId, grantedBy: authed.admin.adminId, reason, effectKey: `admin-grant:${nonce}` }, { routingKey: telegramId }),
      (answer) => ({ after: answer.subscription && toJson(SubscriptionSchema, answer.subscription) }),
    );
    return redirect(`${BASE}users/${telegramId.toString()}?done=grant`);
  }

  async function revoke(authed: Authed, subscriptionId: string, form: URLSearchParams): Promise<HttpReply> {
    const owner = idIn(form.get('owner'));
    const field = `revoke-${subscriptionId}-reason`;
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    const reason = reasonIn(words(authed.locale).t, form, field, true, errors, values);
    if (owner === undefined) return htmlReply(422, problemPage(on(authed), 422, words(authed.locale).t('subscription-owner-missing')));
    if (Object.keys(errors).length > 0) throw new FormRefusal(errors, values);
    const answer = await audited(
      { adminId: authed.admin.adminId, action: 'subscription.revoke', targetKind: 'subscription', targetId: subscriptionId, subjectUser: owner, reason },
      () => ask('svc.payment.revoke', { subscriptionId, reason }, { routingKey: owner }),
      (result) => ({ before: result.before && toJson(SubscriptionSchema, result.before), after: result.after && toJson(SubscriptionSchema, result.after) }),
    );
    return redirect(`${BASE}users/${(answer.after?.telegramId ?? owner).toString()}?done=revoke`);
  }

  /** The Broadcast page: the form (again with the admin's text and a message after a refusal) and the past announcements. */
  async function showBroadcast(authed: Authed, refusal?: Omit<BroadcastPageView, 'announcements'>): Promise<HttpReply> {
    const announcements = await ask('svc.publisher.list_announcements', { limit: 20 }).then((answer) => answer.announcements).catch((error: unknown) => {
      logger.warn({ err: error }, 'the publisher context did not answer for the broadcast page');
      return undefined;
    });
    return htmlReply(refusal === undefined ? 200 : 422, broadcastPage(on(authed), { announcements, ...(refusal ?? {}) }));
  }

  /**
   * Announces once per rendered form: its nonce is the publisher's idempotency key, so a double
   * click or a resent POST answers the first announcement and sends nothing new.
   */
  async function announce(authed: Authed, form: URLSearchParams): Promise<HttpReply> {
    const text = announcementText(form.get('text'));
    const russian = russianVersion(form.get('text_ru'));
    const nonce = form.get('nonce') ?? '';
    const { t } = words(authed.locale);
    const problem = announcementProblem(t, text) ?? (/^[A-Za-z0-9_-]{16,64}$/.test(nonce) ? undefined : t('form-incomplete'));
    const russianError = russianProblem(t, russian);
    const kept = { text, ...(russian === undefined ? {} : { russian }) };
    if (problem !== undefined || russianError !== undefined) return showBroadcast(authed, { ...kept, ...(problem === undefined ? {} : { error: problem }), ...(russianError === undefined ? {} : { russianError }) });
    const translations: Record<string, string> = russian === undefined ? {} : { ru: russian };
    let answer;
    try {
      answer = await audited(
        { adminId: authed.admin.adminId, action: 'announcement.send', targetKind: 'announcement', targetId: `key ${nonce}`, subjectUser: undefined, reason: '', before: { text, translations } },
        () => ask('svc.publisher.announce', { text, translations, adminTelegramId: authed.admin.adminId, idempotencyKey: `admin-announce:${nonce}` }, { routingKey: authed.admin.adminId }),
        (result) => ({ after: { created: result.created, announcement: result.announcement && toJson(AnnouncementSchema, result.announcement) }, ...(result.announcement === undefined ? {} : { targetId: result.announcement.id.toString() }) }),
      );
    } catch (error) {
      // The publisher's own check: the same rules as the panel's, so this answers only should they ever
      // differ (no test reaches it); its reason code worded in the admin's language, beside the field it names.
      if (error instanceof InvalidArgumentError) {
        const said = wordRefusal(authed.locale, error.details) ?? t('announcement-refused');
        return showBroadcast(authed, { ...kept, ...(error.details['field']?.startsWith('translations') === true ? { russianError: said } : { error: said }) });
      }
      throw error;
    }
    if (answer.announcement === undefined) throw new Error('the publisher answered no announcement');
    return redirect(`${BASE}broadcast/${answer.announcement.id.toString()}`);
  }

  async function showAnnouncement(authed: Authed, id: bigint): Promise<HttpReply> {
    const { announcement } = await ask('svc.publisher.announcement_status', { announcementId: id });
    if (announcement === undefined) throw new PageNotFound('no-such-announcement', `no announcement ${id.toString()}`);
    return htmlReply(200, announcementPage(on(authed), announcement));
  }

  async function search(authed: Authed, query: string): Promise<HttpReply> {
    const trimmed = query.trim();
    if (trimmed === '') return htmlReply(200, usersPage(on(authed), '', undefined));
    if (trimmed.length > 100) return htmlReply(422, usersPage(on(authed), trimmed.slice(0, 100), undefined, words(authed.locale).t('search-too-long', { max: 100 })));
    const { users } = await ask('svc.user.search', { query: trimmed, limit: 50 });
    return htmlReply(200, usersPage(on(authed), trimmed, users));
  }

  /** The numbers now (each context that answers) and their history from the panel's own samples. */
  async function numbers(authed: Authed): Promise<HttpReply> {
    const quietly = <T>(subject: string, asked: Promise<T>): Promise<T | undefined> => asked.catch((error: unknown) => {
      logger.warn({ err: error, subject }, 'a context did not answer for the numbers page');
      return undefined;
    });
    const [users, bots, payments, posts, history] = await Promise.all([
      quietly('svc.user.stats', ask('svc.user.stats', {})),
      quietly('svc.bot.stats', ask('svc.bot.stats', {})),
      quietly('svc.payment.stats', ask('svc.payment.stats', {})),
      quietly('svc.publisher.stats', ask('svc.publisher.stats', {})),
      deps.statsHistory.since(new Date(clock().getTime() - HISTORY_SPAN_MS), HISTORY_LIMIT),
    ]);
    return htmlReply(200, numbersPage(on(authed), { users, bots, payments, posts, history, intervalMs: deps.statsIntervalMs }));
  }

  function signIn(request: HttpRequest, visit: Visit): HttpReply {
    const query = queryOf(request.url);
    let login;
    try {
      login = verifyTelegramLogin(query, { botToken: deps.loginBotToken, now: clock(), maxAgeMs: deps.loginMaxAgeMs });
    } catch (error) {
      if (!(error instanceof LoginRefusedError)) throw error;
      logger.warn({ reason: error.reason }, 'admin sign-in refused');
      return htmlReply(403, signInPage(visit, { next: safeNext(query.get('next')), botUsername: deps.loginBotUsername, problem: words(visit.locale).t('sign-in-refused', { reason: error.reason }) }));
    }
    if (!deps.admins.has(login.telegramId)) {
      logger.warn({ telegramId: login.telegramId.toString() }, 'admin sign-in refused: not an admin');
      return htmlReply(403, signInPage(visit, { next: BASE, botUsername: deps.loginBotUsername, problem: words(visit.locale).t('not-admin') }));
    }
    const name = login.username === undefined ? (login.firstName || login.telegramId.toString()) : `@${login.username}`;
    const { value } = sessions.issue(login.telegramId, name, clock());
    logger.info({ admin: login.telegramId.toString() }, 'admin signed in');
    return redirect(safeNext(query.get('next')), { 'set-cookie': sessionCookie(value, Math.floor(deps.sessionTtlMs / 1000), cookieOptions) });
  }

  /** GET: the confirmation page (nothing used yet; link previews and scanners make GETs). */
  async function showSignInLink(request: HttpRequest, visit: Visit): Promise<HttpReply> {
    const token = queryOf(request.url).get('t');
    const link = deps.signInLinks.read(token, clock());
    if (link === undefined || token === null) return htmlReply(403, linkRefusedPage(visit, 'invalid'));
    if (!deps.admins.has(link.adminId)) return htmlReply(403, linkRefusedPage(visit, 'not-admin'));
    if (await deps.linkLedger.used(link)) return htmlReply(403, linkRefusedPage(visit, 'used'));
    return htmlReply(200, signInLinkPage(visit, { token, name: link.name }));
  }

  /**
   * POST: uses the link (once, on whichever side and replica) and signs in. The form comes from
   * the confirmation page; another site's Origin is refused, so no site can sign a visitor in as
   * someone else with a link of theirs.
   */
  async function useSignInLink(request: HttpRequest, visit: Visit): Promise<HttpReply> {
    const origin = request.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      let host: string | undefined;
      try { host = new URL(origin).host; } catch { host = undefined; }
      if (host !== request.headers.host) {
        logger.warn('admin sign-in link refused: posted from another site');
        return htmlReply(403, linkRefusedPage(visit, 'invalid'));
      }
    }
    const link = deps.signInLinks.read(new URLSearchParams(request.body.toString('utf8')).get('t'), clock());
    if (link === undefined) {
      logger.warn('admin sign-in link refused: not valid or expired');
      return htmlReply(403, linkRefusedPage(visit, 'invalid'));
    }
    if (!deps.admins.has(link.adminId)) {
      logger.warn({ telegramId: link.adminId.toString() }, 'admin sign-in link refused: not an admin');
      return htmlReply(403, linkRefusedPage(visit, 'not-admin'));
    }
    if (!(await deps.linkLedger.take(link, clock()))) {
      logger.warn({ admin: link.adminId.toString() }, 'admin sign-in link refused: already used');
      return htmlReply(403, linkRefusedPage(visit, 'used'));
    }
    const { value } = sessions.issue(link.adminId, link.name, clock());
    logger.info({ admin: link.adminId.toString() }, 'admin signed in with a one-time link');
    return redirect(BASE, { 'set-cookie': sessionCookie(value, Math.floor(deps.sessionTtlMs / 1000), cookieOptions) });
  }

  /** Where a request without a session goes: sign-in, keeping the admin's place. */
  function toSignIn(request: HttpRequest): HttpReply {
    let place = request.method === 'GET' ? request.url : BASE;
    // The event stream is no place to return to: its page is.
    if (request.path === MIGRATION_EVENTS_PATH) place = `${BASE}migrations`;
    if (request.method !== 'GET') {
      // A form posted after the session ended: return to the page it was on.
      const referer = request.headers.referer;
      if (typeof referer === 'string') {
        try { place = new URL(referer).pathname + new URL(referer).search; } catch { place = BASE; }
      }
    }
    return redirect(`${BASE}sign-in?next=${encodeURIComponent(safeNext(place))}`, { 'set-cookie': clearedSessionCookie(cookieOptions) });
  }

  /** The CSRF token of the form, and the browser's Origin when it sends one, must both be right. */
  function csrfHolds(request: HttpRequest, admin: AdminSession, form: URLSearchParams): boolean {
    const origin = request.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      let host: string;
      try { host = new URL(origin).host; } catch { return false; }
      if (host !== request.headers.host) return false;
    }
    return sessions.checkCsrf(admin, form.get('csrf'));
  }

  async function authedRoute(request: HttpRequest, authed: Authed, rest: string): Promise<HttpReply> {
    const parts = rest.split('/');
    const { t } = words(authed.locale);
    if (request.method === 'GET' || request.method === 'HEAD') {
      const query = queryOf(request.url);
      if (rest === '') return numbers(authed);
      if (rest === 'users') return search(authed, query.get('q') ?? '');
      if (parts[0] === 'users' && parts.length === 2) {
        const id = idIn(parts[1]);
        if (id === undefined) return htmlReply(404, problemPage(on(authed), 404, t('no-such-user')));
        const done = query.get('done');
        return showUser(authed, id, done !== null && NOTICES.has(done) ? t('notice-done', { action: done }) : undefined);
      }
      if (rest === 'broadcast') return showBroadcast(authed);
      if (parts[0] === 'broadcast' && parts.length === 2) {
        const id = idIn(parts[1]);
        if (id === undefined) return htmlReply(404, problemPage(on(authed), 404, t('no-such-announcement')));
        return showAnnouncement(authed, id);
      }
      if (rest === 'audit') return htmlReply(200, auditPage(on(authed), await audit.recent({ limit: 200 })));
      if (rest === 'migrations') return htmlReply(200, migrationsPage(on(authed), await deps.migrations.list()));
      if (rest === 'migrations/events') {
        // 404 without a watch: the page's script then falls back to reloading, as without script.
        if (streams === undefined) return htmlReply(404, problemPage(on(authed), 404, t('no-kubernetes-stream')));
        return streams.reply(authed.admin.expiresAt, SECURITY_HEADERS);
      }
      return htmlReply(404, problemPage(on(authed), 404, t('no-such-page')));
    }
    if (request.method !== 'POST') return htmlReply(404, problemPage(on(authed), 404, t('no-such-page')));
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (!csrfHolds(request, authed.admin, form)) {
      logger.warn({ admin: authed.admin.adminId.toString(), path: request.path }, 'admin form refused: CSRF check failed');
      return htmlReply(403, problemPage(on(authed), 403, t('csrf-failed')));
    }
    if (rest === 'sign-out') return redirect(`${BASE}sign-in`, { 'set-cookie': clearedSessionCookie(cookieOptions) });
    if (rest === 'broadcast') return announce(authed, form);
    const id = parts.length === 3 ? parts[1] ?? '' : '';
    const verb = parts.length === 3 ? parts[2] : undefined;
    let owner: bigint | undefined;
    try {
      if (parts[0] === 'users' && (verb === 'block' || verb === 'unblock' || verb === 'grant')) {
        owner = idIn(id);
        if (owner === undefined) return htmlReply(404, problemPage(on(authed), 404, t('no-such-user')));
        if (verb === 'grant') return await grant(authed, owner, form);
        return await setUserBlocked(authed, owner, verb === 'block', form);
      }
      if (parts[0] === 'bots' && (verb === 'block' || verb === 'unblock')) {
        const botId = idIn(id);
        owner = idIn(form.get('owner'));
        if (botId === undefined) return htmlReply(404, problemPage(on(authed), 404, t('no-such-bot')));
        return await setBotBlocked(authed, botId, verb === 'block', form);
      }
      if (parts[0] === 'subscriptions' && verb === 'revoke' && /^[A-Za-z0-9-]{1,64}$/.test(id)) {
        owner = idIn(form.get('owner'));
        return await revoke(authed, id, form);
      }
    } catch (error) {
      if (error instanceof FormRefusal && owner !== undefined) return showUser(authed, owner, undefined, error);
      if (error instanceof InvalidArgumentError && owner !== undefined) {
        // The owning context refused it (e.g. a plan withdrawn meanwhile): worded from its reason code
        // where it sends one (@nova/contracts' refusals), else its own message (the payments and users
        // contexts' admin refusals have no codes yet).
        return showUser(authed, owner, undefined, new FormRefusal({ form: wordRefusal(authed.locale, error.details) ?? error.message }, {}));
      }
      throw error;
    }
    return htmlReply(404, problemPage(on(authed), 404, t('no-such-page')));
  }

  /**
   * The language switch: sets this browser's language cookie and returns to the page it was on.
   * A plain GET link, on every page and before sign-in: it changes nothing on the server or in a
   * session, so a link from elsewhere can at most change how the visitor's own pages read.
   */
  function switchLanguage(request: HttpRequest): HttpReply {
    const query = queryOf(request.url);
    const locale = parseLocale(query.get('to') ?? undefined);
    const back = languageReturn(query.get('next'));
    if (locale === undefined) return redirect(back);
    return redirect(back, { 'set-cookie': languageCookie(locale, cookieOptions) });
  }

  return async (request) => {
    const rest = request.path.slice(BASE.length);
    if (request.method === 'GET' && rest === 'assets/admin.css') {
      return { status: 200, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }, body: ADMIN_CSS };
    }
    if (request.method === 'GET' && rest === 'assets/migrations.js') {
      return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }, body: MIGRATIONS_SCRIPT };
    }
    if (request.method === 'GET' && request.path === LANGUAGE_PATH) return switchLanguage(request);
    const visit: Visit = { locale: localeOfRequest(request.headers), here: hereOf(request) };
    const { t } = words(visit.locale);
    if (request.method === 'GET' && rest === 'sign-in') {
      return htmlReply(200, signInPage(visit, { next: safeNext(queryOf(request.url).get('next')), botUsername: deps.loginBotUsername }));
    }
    if (request.method === 'GET' && rest === 'auth/telegram') return signIn(request, visit);
    if (rest === 'auth/link') {
      try {
        if (request.method === 'GET') return await showSignInLink(request, visit);
        if (request.method === 'POST') return await useSignInLink(request, visit);
      } catch (error) {
        logger.error({ err: error }, 'admin sign-in link failed');
        return htmlReply(503, problemPage(visit, 503, t('context-silent')));
      }
    }

    const admin = sessionOf(request);
    if (admin === undefined) return toSignIn(request);
    if (!deps.admins.has(admin.adminId)) {
      // Signed while an admin, no longer named in the configuration.
      logger.warn({ telegramId: admin.adminId.toString() }, 'admin session refused: no longer an admin');
      return htmlReply(403, problemPage(visit, 403, t('no-longer-admin')), { 'set-cookie': clearedSessionCookie(cookieOptions) });
    }
    const authed: Authed = { ...visit, admin, csrf: sessions.csrfToken(admin) };
    try {
      return await authedRoute(request, authed, rest);
    } catch (error) {
      if (error instanceof PageNotFound) return htmlReply(404, problemPage(on(authed), 404, t(error.what)));
      // Another context's refusals: worded from their reason code where they send one, else their own words.
      if (error instanceof NotFoundError) return htmlReply(404, problemPage(on(authed), 404, t('not-found')));
      if (error instanceof InvalidArgumentError) return htmlReply(422, problemPage(on(authed), 422, t('refused-by-context', { reason: wordRefusal(authed.locale, error.details) ?? error.message })));
      logger.error({ err: error, path: request.path }, 'admin page failed');
      return htmlReply(503, problemPage(on(authed), 503, t('context-silent')));
    }
  };
}
