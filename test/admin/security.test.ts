/**
 * The admin panel's security model over real HTTP, against the admin-panel service on the real
 * fleet (and the monolith's copy of the pages): nothing readable and nothing changed without a
 * session; a forged, stale or non-admin Telegram login refused; CSRF refused; the session
 * cookie's flags; unknown ids give 404 pages, never a stack trace; no secret in a page or a log;
 * the main bot's one-time sign-in link: sent to admins only, single use across both sides; a
 * broadcast only from a signed-in admin's own form, once per form, on both sides; the pages'
 * language from Accept-Language or the switch's cookie, the same on both sides, the switch
 * returning only to the panel's own pages and leaving the Content-Security-Policy as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { texts } from '@nova/bot-service/domain';
import { AdminSignInLinks } from '@nova/domain';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { say, ANNA } from '../services/support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from '../services/support/secrets.js';
import type { RunningService } from '../services/support/services.js';
import { panelKube, type PanelKube } from './support/kube.js';
import { until } from '../services/support/until.js';
import { ADMIN, ADMIN_ID, adminLinkVariables, adminVariables, cookiePair, csrfIn, loginUrl, NOT_ADMIN, NOT_ADMIN_ID, signInLinkIn, startPanel, type Panel } from './support/panel.js';

let panel: Panel;
let kube: PanelKube;
let base: string;
let monolith: RunningService;
let inspector: pg.Client;
/** Every sign-in link token the test saw: none may be in a log. */
const linkTokens: string[] = [];

/** fetch that never follows redirects: where the panel sends a person is what is checked. */
/** Browsers asking for each language, and what the panel answers in each where words are checked. */
const BROWSERS = {
  en: { 'accept-language': 'en-US,en;q=0.9' },
  ru: { 'accept-language': 'ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7' },
} as const;
const SAYS = {
  en: { reason: 'Say why: the reason is kept in the audit log.', plan: 'That plan is not on offer.', notFound: '<h1>Not found</h1>', empty: 'Write the message to send: it is empty.', long: 'Telegram takes at most 4,096. Shorten it by 1.' },
  ru: { reason: 'Укажите причину: она сохраняется в журнале действий.', plan: 'Такого тарифа нет в продаже.', notFound: '<h1>Не найдено</h1>', empty: 'Напишите текст сообщения: сейчас оно пустое.', long: 'Telegram принимает не больше 4\u00a0096. Сократите его на 1 символ.' },
} as const;
const LOCALES = ['en', 'ru'] as const;

function get(url: string, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: { ...(cookie === undefined ? {} : { cookie }), ...headers } });
}

function post(url: string, form: Record<string, string>, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }), ...headers },
  });
}

async function signIn(at = base, id = ADMIN_ID): Promise<string> {
  const answer = await get(loginUrl(at, panel.world.secrets.mainBotToken, id));
  expect(answer.status).toBe(303);
  return cookiePair(answer.headers.get('set-cookie'));
}

async function blockedAt(telegramId: number): Promise<Date | null> {
  const result = await inspector.query<{ blocked_at: Date | null }>('SELECT blocked_at FROM user_service.users WHERE telegram_id = $1', [telegramId]);
  return result.rows[0]?.blocked_at ?? null;
}

beforeAll(async () => {
  kube = await panelKube('admin-security');
  panel = await startPanel('admin_security', kube.env);
  base = panel.admin.url;
  inspector = new pg.Client({ connectionString: panel.world.database.url });
  await inspector.connect();
  // Anna is known to the platform: she has talked to the main bot.
  await say(panel.world.emulator, panel.world.mainBot, ANNA, '/start');
  // The legacy side: the monolith (inline), serving the same pages with the same admins and key,
  // and running the same main bot (its webhook now points here), whose /admin links point at the panel.
  ({ monolith } = await panel.world.startMonolith('inline', { ...adminLinkVariables(panel.sessionKey, base), ...kube.env }));
});

afterAll(async () => {
  await inspector.end();
  await panel.world.close();
  await kube.close();
});

/** Reads a streamed answer until its text so far satisfies `done`, or fails after `timeoutMs` with what came. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, done: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`the stream did not say it within ${String(timeoutMs)} ms; it said: ${text}`)); }, timeoutMs); });
  try {
    while (!done(text)) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk.done) throw new Error(`the stream ended; it said: ${text}`);
      text += decoder.decode(chunk.value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
  }
}

describe('the admin panel without a session', () => {
  it('shows no page: every one sends the browser to sign-in, keeping its place', async () => {
    for (const path of ['/admin/', '/admin/users?q=anna', `/admin/users/${String(ANNA.id)}`, '/admin/broadcast', '/admin/broadcast/1', '/admin/audit', '/admin/migrations', '/admin/nonexistent']) {
      const answer = await get(`${base}${path}`);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(`/admin/sign-in?next=${encodeURIComponent(path)}`);
      expect(await answer.text()).not.toContain('Анна');
    }
    const signInPage = await get(`${base}/admin/sign-in?next=/admin/users`);
    expect(signInPage.status).toBe(200);
    expect(await signInPage.text()).toContain('Sign in');
  });

  it('changes nothing: a POST without a session (or with a forged one) goes to sign-in and the user stays unblocked', async () => {
    const forged = `nova_admin_session=${Buffer.from(JSON.stringify({ a: String(ADMIN_ID), n: 'Eve', s: 'x', e: Date.now() + 3_600_000 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    for (const cookie of [undefined, forged, 'nova_admin_session=garbage']) {
      const answer = await post(`${base}/admin/users/${String(ANNA.id)}/block`, { reason: 'spam', csrf: 'x' }, cookie);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toMatch(/^\/admin\/sign-in\?next=/);
    }
    expect(await blockedAt(ANNA.id)).toBeNull();
  });
});

describe('the migrations\' event stream', () => {
  it('is refused without a session like every page (to sign-in, back to the migrations page after)', async () => {
    for (const cookie of [undefined, 'nova_admin_session=garbage']) {
      for (const at of [base, monolith.url]) {
        const answer = await get(`${at}/admin/migrations/events`, cookie, { accept: 'text/event-stream' });
        expect(answer.status).toBe(303);
        expect(answer.headers.get('location')).toBe(`/admin/sign-in?next=${encodeURIComponent('/admin/migrations')}`);
        expect(answer.headers.get('content-type')).not.toContain('text/event-stream');
      }
    }
  });

  it('streams each migration\'s state, then its changes, on both sides of the canary', async () => {
    await kube.create('stage-8-admin-panel');
    await kube.setStatus('stage-8-admin-panel', { phase: 'Progressing', weight: 5 });
    for (const [at, weight] of [[base, 10], [monolith.url, 15]] as const) {
      const answer = await get(`${at}/admin/migrations/events`, await signIn(at));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
      // Every row as it is now, first: a page that rendered a moment ago misses nothing.
      expect(await readUntil(reader, (text) => text.includes('"phase":"Progressing"'))).toMatch(/^retry: 3000\n\nevent: row\ndata: \{"key":"[^"]+\/stage-8-admin-panel"/);
      await kube.setStatus('stage-8-admin-panel', { weight });
      await readUntil(reader, (text) => text.includes(`"weight":"${String(weight)} %"`));
      await reader.cancel();
    }
  });
});

describe('signing in with Telegram', () => {
  it('refuses forged, stale and non-admin logins with a 403 and no session', async () => {
    const token = panel.world.secrets.mainBotToken;
    const forged = loginUrl(base, `${token.split(':')[0] ?? ''}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, ADMIN_ID);
    const stale = loginUrl(base, token, ADMIN_ID, { authDate: new Date(Date.now() - 2 * 3_600_000) });
    const tampered = loginUrl(base, token, NOT_ADMIN_ID).replace(`id=${String(NOT_ADMIN_ID)}`, `id=${String(ADMIN_ID)}`);
    const notAdmin = loginUrl(base, token, NOT_ADMIN_ID);
    for (const [url, says] of [[forged, 'not signed by the bot'], [stale, 'too old'], [tampered, 'not signed by the bot'], [notAdmin, 'not an admin']] as const) {
      const answer = await get(url);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(await answer.text()).toContain(says);
    }
  });

  it('gives an admin a session cookie that scripts cannot read, sent only same-site, HTTPS only, scoped to /admin/, and returns to the page asked for', async () => {
    const answer = await get(loginUrl(base, panel.world.secrets.mainBotToken, ADMIN_ID, { next: `/admin/users/${String(ANNA.id)}` }));
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/admin/users/${String(ANNA.id)}`);
    const cookie = answer.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^nova_admin_session=[\w-]+\.[\w-]+; /);
    expect(cookie.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Secure', 'Path=/admin/']));
    // Another site is never a place to return to.
    const elsewhere = await get(loginUrl(base, panel.world.secrets.mainBotToken, ADMIN_ID, { next: '//evil.example/admin/' }));
    expect(elsewhere.headers.get('location')).toBe('/admin/');
    const page = await get(`${base}/admin/users/${String(ANNA.id)}`, cookiePair(cookie));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('Анна');
  });
});

/** A fresh one-time link from the main bot, as an admin gets it. */
async function linkFromTheBot(): Promise<{ url: string; token: string }> {
  const answer = await say(panel.world.emulator, panel.world.mainBot, ADMIN, '/admin');
  const url = signInLinkIn(answer.text);
  const token = new URL(url).searchParams.get('t') ?? '';
  linkTokens.push(token);
  return { url, token };
}

describe('the one-time sign-in link the main bot sends an admin', () => {
  it('is sent to an admin only: anyone else gets the answer any unknown command gets', async () => {
    const notAdmin = await say(panel.world.emulator, panel.world.mainBot, NOT_ADMIN, '/admin');
    expect(notAdmin.text).toBe(texts('en').notUnderstood);
    expect((await say(panel.world.emulator, panel.world.mainBot, NOT_ADMIN, '/nosuchcommand')).text).toBe(notAdmin.text);
    const { url } = await linkFromTheBot();
    expect(url.startsWith(`${base}/admin/auth/link?t=`)).toBe(true);
  });

  it('signs in once across both sides of the canary: opening it uses nothing, the first POST (on either side) does, every later one is refused', async () => {
    const { url, token } = await linkFromTheBot();
    // Opening it (a link preview, a scanner, the admin) shows a button and uses nothing.
    for (let i = 0; i < 2; i++) {
      const shown = await get(url);
      expect(shown.status).toBe(200);
      expect(shown.headers.get('set-cookie')).toBeNull();
      expect(await shown.text()).toContain(`Sign in as @${String(ADMIN.username)}`);
    }
    // Used on the legacy side (the monolith) ...
    const used = await post(`${monolith.url}/admin/auth/link`, { t: token });
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe('/admin/');
    const cookie = used.headers.get('set-cookie') ?? '';
    expect(cookie.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Secure', 'Path=/admin/']));
    expect((await get(`${base}/admin/users?q=anna`, cookiePair(cookie))).status).toBe(200);
    // ... it is refused on both sides after.
    for (const at of [base, monolith.url, monolith.url]) {
      const again = await post(`${at}/admin/auth/link`, { t: token });
      expect(again.status).toBe(403);
      expect(again.headers.get('set-cookie')).toBeNull();
      expect(await again.text()).toContain('already used');
    }
    expect(await (await get(url)).text()).toContain('already used');
  });

  it('lets exactly one of concurrent uses through, whichever side each reaches', async () => {
    const { token } = await linkFromTheBot();
    const answers = await Promise.all([base, monolith.url, base, monolith.url, base, monolith.url].map((at) => post(`${at}/admin/auth/link`, { t: token })));
    expect(answers.map((answer) => answer.status).sort((a, b) => a - b)).toEqual([303, 403, 403, 403, 403, 403]);
  });

  it('refuses an altered, expired, foreign-key, non-admin or cross-site link, with no session', async () => {
    const { token } = await linkFromTheBot();
    const key = Buffer.from(panel.sessionKey, 'base64');
    const [body = '', signature = ''] = token.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const altered = `${Buffer.from(JSON.stringify({ ...payload, e: Date.now() + 86_400_000 })).toString('base64url')}.${signature}`;
    const expired = new AdminSignInLinks(key).issue(BigInt(ADMIN_ID), 'boss', new Date(Date.now() - 3_600_000), 60_000).token;
    const foreign = new AdminSignInLinks(randomBytes(32)).issue(BigInt(ADMIN_ID), 'boss', new Date(), 60_000).token;
    const notAdmin = new AdminSignInLinks(key).issue(BigInt(NOT_ADMIN_ID), 'eve', new Date(), 60_000).token;
    for (const [bad, says] of [[altered, 'not valid'], [expired, 'not valid'], [foreign, 'not valid'], ['', 'not valid'], [notAdmin, 'not an admin']] as const) {
      for (const answer of [await get(`${base}/admin/auth/link?t=${encodeURIComponent(bad)}`), await post(`${monolith.url}/admin/auth/link`, { t: bad })]) {
        expect(answer.status).toBe(403);
        expect(answer.headers.get('set-cookie')).toBeNull();
        expect(await answer.text()).toContain(says);
      }
    }
    // Posted from another site (a page of theirs signing a visitor in): refused, and the link stays unused.
    const crossSite = await post(`${base}/admin/auth/link`, { t: token }, undefined, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await post(`${base}/admin/auth/link`, { t: token }, undefined, { origin: base })).status).toBe(303);
  });
});

describe('changes with a session', () => {
  it('refuse a form without the session\'s CSRF token, with another session\'s, or sent from another site', async () => {
    const mine = await signIn();
    const other = await signIn();
    const token = csrfIn(await (await get(`${base}/admin/users/${String(ANNA.id)}`, mine)).text());
    const otherToken = csrfIn(await (await get(`${base}/admin/users/${String(ANNA.id)}`, other)).text());
    const url = `${base}/admin/users/${String(ANNA.id)}/block`;
    for (const [form, headers] of [
      [{ reason: 'spam' }, {}],
      [{ reason: 'spam', csrf: '' }, {}],
      [{ reason: 'spam', csrf: otherToken }, {}],
      [{ reason: 'spam', csrf: token }, { origin: 'https://evil.example' }],
    ] as const) {
      const answer = await post(url, form, mine, headers);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('security check failed');
    }
    expect(await blockedAt(ANNA.id)).toBeNull();
    // The real thing, from the panel's own page, goes through and is in the audit log.
    const done = await post(url, { reason: 'spam, reported twice', csrf: token }, mine, { origin: base });
    expect(done.status).toBe(303);
    expect(await blockedAt(ANNA.id)).not.toBeNull();
    const audit = await (await get(`${base}/admin/audit`, mine)).text();
    expect(audit).toContain('user.block');
    expect(audit).toContain('spam, reported twice');
    const unblock = await post(`${base}/admin/users/${String(ANNA.id)}/unblock`, { reason: '', csrf: token }, mine);
    expect(unblock.status).toBe(303);
    expect(await blockedAt(ANNA.id)).toBeNull();
  });

  it.each(LOCALES)('validate forms on the server with clear messages, and answer unknown ids with 404 pages (%s)', async (locale) => {
    const browser = BROWSERS[locale];
    const cookie = await signIn();
    const token = csrfIn(await (await get(`${base}/admin/users/${String(ANNA.id)}`, cookie, browser)).text());
    const annaPage = `${base}/admin/users/${String(ANNA.id)}`;
    const noReason = await post(`${annaPage}/block`, { reason: '  ', csrf: token }, cookie, { ...browser, referer: annaPage });
    expect(noReason.status).toBe(422);
    const refused = await noReason.text();
    expect(refused).toContain(SAYS[locale].reason);
    // The answer to a form (a POST) is no page to return to: the switch goes back to the page that sent it.
    expect(refused).toContain(`next=${encodeURIComponent(`/admin/users/${String(ANNA.id)}`)}"`);
    const noPlan = await post(`${base}/admin/users/${String(ANNA.id)}/grant`, { reason: 'gift', plan: 'no-such-plan', nonce: 'n'.repeat(22), csrf: token }, cookie, browser);
    expect(noPlan.status).toBe(422);
    expect(await noPlan.text()).toContain(SAYS[locale].plan);
    for (const path of ['/admin/users/999999999', '/admin/users/abc', '/admin/nope', '/admin/broadcast/999999999', '/admin/broadcast/abc']) {
      const answer = await get(`${base}${path}`, cookie, browser);
      expect(answer.status).toBe(404);
      const text = await answer.text();
      expect(text).toContain(SAYS[locale].notFound);
      expect(text).not.toMatch(/at .*\.js:\d+|Error:/);
    }
    const unknownBot = await post(`${base}/admin/bots/999999999/block`, { reason: 'x', owner: String(ANNA.id), csrf: token }, cookie);
    expect(unknownBot.status).toBe(404);
  });

  it('an admin removed from the configuration is refused at once, even with a valid cookie', async () => {
    const { monolith: strict } = await panel.world.startMonolith('inline', { ...adminVariables(panel.sessionKey), NOVA_ADMIN_TELEGRAM_IDS: '1' });
    const cookie = await signIn();
    const answer = await get(`${strict.url}/admin/`, cookie);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('set-cookie')).toContain('Max-Age=0');
    await strict.stop();
  });
});

/** Announcements the publisher context stored (both sides share its schema). */
async function announcementsStored(): Promise<number> {
  const result = await inspector.query<{ n: string }>('SELECT count(*) AS n FROM publisher_service.announcements');
  return Number(result.rows[0]?.n ?? -1);
}

/** The main bot's sends of `text`, whichever side sent them. */
function sendsOf(text: string): number {
  return panel.world.emulator.calls((call) => call.botId === panel.world.mainBot.id && call.method === 'sendMessage' && call.params['text'] === text).length;
}

function nonceIn(page: string): string {
  const match = /name="nonce" value="([^"]+)"/.exec(page);
  if (match?.[1] === undefined) throw new Error('no nonce field in the page');
  return match[1];
}

describe('broadcasting an announcement', () => {
  const refusedText = 'This announcement must never go out.';

  it('is refused without a session or without the form\'s CSRF token, on both sides, and nothing is stored or sent', async () => {
    const forged = `nova_admin_session=${Buffer.from(JSON.stringify({ a: String(ADMIN_ID), n: 'Eve', s: 'x', e: Date.now() + 3_600_000 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    for (const at of [base, monolith.url]) {
      for (const cookie of [undefined, forged]) {
        const answer = await post(`${at}/admin/broadcast`, { text: refusedText, nonce: 'n'.repeat(22), csrf: 'x' }, cookie);
        expect(answer.status).toBe(303);
        expect(answer.headers.get('location')).toMatch(/^\/admin\/sign-in\?next=/);
      }
      const mine = await signIn(at);
      const other = await signIn(at);
      const formPage = await (await get(`${at}/admin/broadcast`, mine)).text();
      const [token, nonce] = [csrfIn(formPage), nonceIn(formPage)];
      const otherToken = csrfIn(await (await get(`${at}/admin/broadcast`, other)).text());
      for (const [form, headers] of [
        [{ text: refusedText, nonce }, {}],
        [{ text: refusedText, nonce, csrf: '' }, {}],
        [{ text: refusedText, nonce, csrf: otherToken }, {}],
        [{ text: refusedText, nonce, csrf: token }, { origin: 'https://evil.example' }],
      ] as const) {
        const answer = await post(`${at}/admin/broadcast`, form, mine, headers);
        expect(answer.status).toBe(403);
        expect(await answer.text()).toContain('security check failed');
      }
    }
    expect(await announcementsStored()).toBe(0);
    expect(sendsOf(refusedText)).toBe(0);
  });

  it('checks the text on the server with clear messages, and the legacy side (the monolith) sends an accepted form once, however often it is posted', async () => {
    const at = monolith.url;
    const cookie = await signIn(at);
    const formPage = await (await get(`${at}/admin/broadcast`, cookie)).text();
    const [csrf, nonce] = [csrfIn(formPage), nonceIn(formPage)];
    for (const locale of LOCALES) {
      const empty = await post(`${at}/admin/broadcast`, { text: ' \r\n ', nonce, csrf }, cookie, BROWSERS[locale]);
      expect(empty.status).toBe(422);
      expect(await empty.text()).toContain(SAYS[locale].empty);
      const long = await post(`${at}/admin/broadcast`, { text: 'x'.repeat(4097), nonce, csrf }, cookie, BROWSERS[locale]);
      expect(long.status).toBe(422);
      expect(await long.text()).toContain(SAYS[locale].long);
    }
    expect(await announcementsStored()).toBe(0);

    const text = 'Maintenance tonight at 02:00 UTC.';
    const first = await post(`${at}/admin/broadcast`, { text, nonce, csrf }, cookie, { origin: at });
    expect(first.status).toBe(303);
    const progress = first.headers.get('location') ?? '';
    expect(progress).toMatch(/^\/admin\/broadcast\/\d+$/);
    // A double click or a resent POST: the same announcement, nothing new.
    const again = await post(`${at}/admin/broadcast`, { text, nonce, csrf }, cookie);
    expect(again.headers.get('location')).toBe(progress);
    await until('the announcement done', async () => (await (await get(`${at}${progress}`, cookie)).text()).includes('data-state="done"'), 60_000, 250);
    expect(await announcementsStored()).toBe(1);
    // Anna, the admin and Eve talked to the main bot: each gets it once.
    expect(sendsOf(text)).toBe(3);
    for (const person of [ANNA.id, ADMIN_ID, NOT_ADMIN_ID]) {
      expect(panel.world.emulator.messagesTo(person, { botId: panel.world.mainBot.id }).filter((message) => message.text === text)).toHaveLength(1);
    }
    const audit = await (await get(`${base}/admin/audit`, cookie)).text();
    expect(audit).toContain('announcement.send');
  });
});

describe('the language of the pages', () => {
  it('follows the browser\'s Accept-Language before sign-in: ru, uk, be, kk read Russian, anything else English; the CSP is the same in both', async () => {
    const pages = await Promise.all(['ru-RU,ru;q=0.9', 'uk', 'kk-KZ', 'be', 'en-US', 'fr-FR,fr;q=0.9', 'de;q=0.9,ru;q=0.8', 'ru;q=0.1,en;q=0.5'].map(async (language) => {
      const answer = await get(`${base}/admin/sign-in`, undefined, { 'accept-language': language });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('vary')).toBe('Accept-Language, Cookie');
      return { language, csp: answer.headers.get('content-security-policy'), lang: /<html lang="(\w+)">/.exec(await answer.text())?.[1] };
    }));
    expect(pages.map(({ language, lang }) => [language, lang])).toEqual([
      ['ru-RU,ru;q=0.9', 'ru'], ['uk', 'ru'], ['kk-KZ', 'ru'], ['be', 'ru'], ['en-US', 'en'], ['fr-FR,fr;q=0.9', 'en'], ['de;q=0.9,ru;q=0.8', 'ru'], ['ru;q=0.1,en;q=0.5', 'en'],
    ]);
    expect(new Set(pages.map((page) => page.csp))).toEqual(new Set(["default-src 'none'; style-src 'self'; img-src 'self' https://t.me https://telegram.org; script-src 'self' https://telegram.org; connect-src 'self'; frame-src https://oauth.telegram.org; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"]));
    expect(await (await get(`${base}/admin/sign-in`, undefined, BROWSERS.ru)).text()).toContain('<h1>Вход</h1>');
  });

  it('switches with a link that sets a cookie and returns to the page it was on, on the panel only; the cookie wins over the browser', async () => {
    const back = '/admin/sign-in?next=%2Fadmin%2Fusers';
    const ruPage = await (await get(`${base}${back}`, undefined, BROWSERS.ru)).text();
    const href = /<a href="([^"]+)" hreflang="en" lang="en">English<\/a>/.exec(ruPage)?.[1]?.replaceAll('&amp;', '&');
    expect(href).toBe(`/admin/language?to=en&next=${encodeURIComponent(back)}`);
    const switched = await get(`${base}${href ?? ''}`, undefined, BROWSERS.ru);
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe(back);
    const cookie = switched.headers.get('set-cookie') ?? '';
    expect(cookie.split('; ')).toEqual(['nova_admin_lang=en', 'Path=/admin/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=31536000', 'Secure']);
    const english = await (await get(`${base}${back}`, cookiePair(cookie), BROWSERS.ru)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('<h1>Sign in</h1>');
    // Never to another site, never a language Nova does not speak.
    for (const next of ['https://evil.example/', '//evil.example/admin/', '/admin/language?to=ru']) {
      const away = await get(`${base}/admin/language?to=ru&next=${encodeURIComponent(next)}`);
      expect(away.headers.get('location')).toBe('/admin/');
    }
    const unknown = await get(`${base}/admin/language?to=de&next=%2Fadmin%2F`);
    expect([unknown.status, unknown.headers.get('set-cookie')]).toEqual([303, null]);
  });

  it('is picked the same way on both sides of the canary: a page in Russian, and with the switch\'s cookie in English, byte for byte but for the grant form\'s nonce', async () => {
    const session = await signIn();
    const annaPath = `/admin/users/${String(ANNA.id)}`;
    const unNonced = (page: string): string => page.replace(/name="nonce" value="[^"]*"/gu, 'name="nonce" value=""');
    for (const [cookie, headers, lang, words] of [
      [session, BROWSERS.ru, 'ru', 'Недавние действия'],
      [`${session}; nova_admin_lang=en`, BROWSERS.ru, 'en', 'Recent activity'],
      [`${session}; nova_admin_lang=ru`, BROWSERS.en, 'ru', 'Недавние действия'],
    ] as const) {
      const [service, legacy] = await Promise.all([get(`${base}${annaPath}`, cookie, headers), get(`${monolith.url}${annaPath}`, cookie, headers)]);
      expect([service.status, legacy.status]).toEqual([200, 200]);
      const page = await service.text();
      expect(page).toContain(`<html lang="${lang}">`);
      expect(page).toContain(`<h2>${words}</h2>`);
      expect(unNonced(await legacy.text())).toBe(unNonced(page));
    }
  });
});

describe('the legacy side (the monolith)', () => {
  it('serves the same pages, and a session from the admin panel is valid there (one key, both sides of the canary)', async () => {
    expect((await get(`${monolith.url}/admin/`)).status).toBe(303);
    const cookie = await signIn();
    const page = await get(`${monolith.url}/admin/users?q=anna`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Анна');
    const monolithCookie = await signIn(monolith.url);
    expect((await get(`${base}/admin/users/${String(ANNA.id)}`, monolithCookie)).status).toBe(200);
  });

  it('never shows or logs a secret', () => {
    const secrets = secretsOfRun(panel.world.secrets, []);
    secrets.set('NOVA_ADMIN_SESSION_KEY', panel.sessionKey);
    linkTokens.forEach((token, index) => { secrets.set(`sign-in link ${String(index + 1)}`, token); });
    expectNoSecretsInLogs([panel.admin, monolith, panel.payments, panel.publisher, panel.fleet.bots], secrets);
  });
});
