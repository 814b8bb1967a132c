/**
 * The admin panel's security model over real HTTP, against the admin-panel service on the real
 * fleet (and the monolith's copy of the pages): nothing readable and nothing changed without a
 * session; a forged, stale or non-admin Telegram login refused; CSRF refused; the session
 * cookie's flags; unknown ids give 404 pages, never a stack trace; no secret in a page or a log.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { say, ANNA } from '../services/support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from '../services/support/secrets.js';
import type { RunningService } from '../services/support/services.js';
import { ADMIN_ID, adminVariables, cookiePair, csrfIn, loginUrl, NOT_ADMIN_ID, startPanel, type Panel } from './support/panel.js';

let panel: Panel;
let base: string;
let monolith: RunningService;
let inspector: pg.Client;

/** fetch that never follows redirects: where the panel sends a person is what is checked. */
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
  panel = await startPanel('admin_security');
  base = panel.admin.url;
  inspector = new pg.Client({ connectionString: panel.world.database.url });
  await inspector.connect();
  // Anna is known to the platform: she has talked to the main bot.
  await say(panel.world.emulator, panel.world.mainBot, ANNA, '/start');
  // The legacy side: the monolith (inline), serving the same pages with the same admins and key.
  ({ monolith } = await panel.world.startMonolith('inline', adminVariables(panel.sessionKey)));
});

afterAll(async () => {
  await inspector.end();
  await panel.world.close();
});

describe('the admin panel without a session', () => {
  it('shows no page: every one sends the browser to sign-in, keeping its place', async () => {
    for (const path of ['/admin/', '/admin/users?q=anna', `/admin/users/${String(ANNA.id)}`, '/admin/audit', '/admin/migrations', '/admin/nonexistent']) {
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

  it('validate forms on the server with clear messages, and answer unknown ids with 404 pages', async () => {
    const cookie = await signIn();
    const token = csrfIn(await (await get(`${base}/admin/users/${String(ANNA.id)}`, cookie)).text());
    const noReason = await post(`${base}/admin/users/${String(ANNA.id)}/block`, { reason: '  ', csrf: token }, cookie);
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('Say why: the reason is kept in the audit log.');
    const noPlan = await post(`${base}/admin/users/${String(ANNA.id)}/grant`, { reason: 'gift', plan: 'no-such-plan', nonce: 'n'.repeat(22), csrf: token }, cookie);
    expect(noPlan.status).toBe(422);
    expect(await noPlan.text()).toContain('That plan is not on offer.');
    for (const path of ['/admin/users/999999999', '/admin/users/abc', '/admin/nope']) {
      const answer = await get(`${base}${path}`, cookie);
      expect(answer.status).toBe(404);
      const text = await answer.text();
      expect(text).toContain('<h1>Not found</h1>');
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
    expectNoSecretsInLogs([panel.admin, monolith, panel.payments, panel.fleet.bots], secrets);
  });
});
