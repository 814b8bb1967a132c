/**
 * The admin panel as a person uses it: real headless Chromium (Debian's package, driven by
 * playwright-core; never a downloaded browser) against the admin-panel service on the real fleet
 * (gateway, user, bot and payment services, NATS, PostgreSQL, the Telegram emulator). Signs in
 * with a Login Widget redirect and with the one-time link the main bot sends on /admin, finds
 * Anna, blocks her bot and sees its webhook dropped at the gateway (200, nothing answered),
 * grants her a subscription, broadcasts an announcement from the main bot with a Russian version
 * (Anna, whose Telegram app speaks Russian, gets that one; the admin the message) and watches its progress
 * reach "done", reads the audit log, and watches a NovaMigration's weight move on the migrations
 * page without a reload (the test bed's kube-apiserver, the panel under its chart's Role), and
 * reads the panel in Russian when the browser asks for it, then switches it to English and back.
 * Screenshots of the main pages go to
 * test-output/admin-panel/ (NOVA_TEST_OUTPUT_DIR to change it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { texts } from '@nova/bot-service/domain';
import { ANNA, BORIS, onboardingScript, say } from '../services/support/script.js';
import { ROOT } from '../services/support/services.js';
import { until } from '../services/support/until.js';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { panelKube, type PanelKube } from './support/kube.js';
import { ADMIN, ADMIN_ID, loginUrl, NOT_ADMIN, signInLinkIn, startPanel, type Panel } from './support/panel.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = process.env.NOVA_TEST_OUTPUT_DIR ?? join(ROOT, 'test-output', 'admin-panel');

let panel: Panel;
let kube: PanelKube;
let child: EmulatedBot;
let profile: string;
let browser: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  // Plain HTTP on loopback: cookies without Secure (the security test checks the default, Secure).
  // Numbers sampled every second, so the charts have a history within the test.
  // Its migrations page reads a throwaway namespace of the test bed's kube-apiserver.
  kube = await panelKube('admin-browser');
  panel = await startPanel('admin_browser', { NOVA_ADMIN_COOKIE_SECURE: 'false', NOVA_ADMIN_STATS_INTERVAL: '1s', ...kube.env });
  ({ child } = await onboardingScript(panel.world.emulator, panel.world.mainBot));
  profile = mkdtempSync(join(tmpdir(), 'nova-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 412, height: 915 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 240_000);

afterAll(async () => {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  await panel.world.close();
  await kube.close();
});

describe('the admin panel in Chromium', () => {
  it('sends a visitor to sign-in, and signs an admin in with Telegram\'s signed login, on a page without script', async () => {
    await page.goto(`${panel.admin.url}/admin/users`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await shot('sign-in');
    await page.goto(loginUrl(panel.admin.url, panel.world.secrets.mainBotToken, ADMIN_ID, { next: '/admin/users' }));
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    // Keyboard first: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Skip to content');
  });

  it('signs an admin in with the one-time link the main bot sends on /admin, once; a non-admin gets no link', async () => {
    await browser.clearCookies();
    const answer = await say(panel.world.emulator, panel.world.mainBot, ADMIN, '/admin');
    const link = signInLinkIn(answer.text);
    await page.goto(link);
    await shot('sign-in-link');
    await page.getByRole('button', { name: `Sign in as @${String(ADMIN.username)}` }).click();
    await page.waitForURL((url) => url.pathname === '/admin/');
    await expect(page.getByRole('heading', { name: 'Platform numbers' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: `Sign out @${String(ADMIN.username)}` }).isVisible()).resolves.toBe(true);
    // The same link again, in a browser without the session: refused, and no session comes of it.
    await browser.clearCookies();
    await page.goto(link);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('already used');
    expect(await browser.cookies()).toEqual([]);
    // Someone else asking gets what any unknown command gets, and no link.
    const refused = await say(panel.world.emulator, panel.world.mainBot, NOT_ADMIN, '/admin');
    expect(refused.text).toBe(texts('en').notUnderstood);
    expect(refused.text).not.toContain('http');
    // Signed in again for the pages that follow.
    await page.goto(signInLinkIn((await say(panel.world.emulator, panel.world.mainBot, ADMIN, '/admin')).text));
    await page.getByRole('button', { name: `Sign in as @${String(ADMIN.username)}` }).click();
    await page.waitForURL((url) => url.pathname === '/admin/');
    await page.goto(`${panel.admin.url}/admin/users`);
  });

  it('finds a user by name and shows her bots', async () => {
    await page.getByLabel('Find a user by Telegram id, @username or name').fill('Анна');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Анна' }).click();
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${String(ANNA.id)}`);
    await expect(page.getByRole('cell', { name: `@${child.username} (${String(child.id)})` }).isVisible()).resolves.toBe(true);
    await shot('user');
  });

  it('blocks her bot: its webhook is answered 200 and dropped at the gateway, and Boris gets no answer', async () => {
    const answered = panel.world.emulator.messagesTo(BORIS.id, { botId: child.id }).length;
    await page.getByLabel(`Reason for blocking @${child.username}`).fill('spam reported by users');
    await page.getByRole('button', { name: `Block @${child.username}` }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The bot is blocked');
    await shot('bot-blocked');
    // The gateway learns of the block when its cached answer for the bot expires (30 s at most):
    // Boris keeps writing until a webhook is dropped there; each delivery is answered 200.
    await until('the gateway drops a webhook of the blocked bot', async () => {
      const update = panel.world.emulator.userSends(child.token, { from: BORIS, text: 'hello?' });
      const delivery = await panel.world.emulator.waitForDelivery(child.token, update.update_id, { timeoutMs: 30_000 });
      expect(delivery.status).toBe(200);
      return panel.fleet.gateway.logLines().some((line) => line.msg === 'webhook dropped' && line.bot === String(child.id));
    }, 90_000, 2_000);
    // Nothing was answered for it, by the gateway's drop or by the bots context's own check.
    await until('the bots context has processed every stored update', async () => {
      const consumers = await panel.world.jsm.consumers.list('TELEGRAM').next();
      return consumers.length > 0 && consumers.every((consumer) => consumer.num_pending === 0 && consumer.num_ack_pending === 0);
    });
    expect(panel.world.emulator.messagesTo(BORIS.id, { botId: child.id }).length).toBe(answered);
  });

  it('grants a subscription with a reason, refusing the form first without one', async () => {
    await page.goto(`${panel.admin.url}/admin/users/${String(ANNA.id)}`);
    await page.locator('#grant-plan').selectOption('bots-30d');
    // The browser's own check is bypassed to see the server's message.
    await page.locator('#grant-reason').evaluate((input: { removeAttribute(name: string): void }) => { input.removeAttribute('required'); });
    await page.getByRole('button', { name: 'Grant' }).click();
    await expect(page.locator('#grant-reason-error').textContent()).resolves.toContain('Say why');
    await page.locator('#grant-reason').fill('compensation for the outage');
    await page.getByRole('button', { name: 'Grant' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The subscription is granted.');
    await expect(page.getByRole('cell', { name: `granted by ${String(ADMIN_ID)}: compensation for the outage` }).isVisible()).resolves.toBe(true);
    // Her recent activity: the grant, her bot, the admins' actions, newest first.
    const activity = page.getByRole('table', { name: 'Recent activity, newest first' });
    await expect(activity.getByRole('cell', { name: 'subscription granted by hand: bots-30d' }).isVisible()).resolves.toBe(true);
    await expect(activity.getByRole('cell', { name: `connected @${child.username}` }).isVisible()).resolves.toBe(true);
    await expect(activity.getByRole('cell', { name: `bot.block by admin ${String(ADMIN_ID)} (done)` }).isVisible()).resolves.toBe(true);
    await shot('subscription-granted');
  });

  it('broadcasts an announcement from the main bot to every user, each in their language, and shows its progress live until done', async () => {
    const announcement = 'Nova is moving to new servers tonight. Nothing to do on your side.';
    const russian = 'Сегодня ночью Nova переезжает на новые серверы. Делать ничего не нужно.';
    const main = panel.world.mainBot;
    // Eve blocked the main bot in Telegram; Boris only ever wrote to Anna's bot, so the main bot
    // may not start a chat with him. Telegram answers both with a 403: counted, not retried.
    panel.world.emulator.userBlocksBot(main.id, NOT_ADMIN.id);
    await page.getByRole('link', { name: 'Broadcast' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/broadcast');
    await expect(page.getByText('No announcement was sent yet.').isVisible()).resolves.toBe(true);
    // The browser's own check is bypassed to see the server's message.
    await page.locator('#announcement-text').evaluate((input: { removeAttribute(name: string): void }) => { input.removeAttribute('required'); });
    await page.getByRole('button', { name: 'Send to every user' }).click();
    await expect(page.locator('#announcement-text-error').textContent()).resolves.toContain('it is empty');
    await page.getByLabel(/^Message/).fill(announcement);
    await page.getByLabel(/^Russian version/).fill(russian);
    await shot('broadcast-form');
    await page.getByRole('button', { name: 'Send to every user' }).click();
    await page.waitForURL((url) => /^\/admin\/broadcast\/\d+$/.test(url.pathname));
    // The page reloads itself every 2 s (a meta refresh, no script) until the state says done.
    await page.locator('#announcement-state[data-state="done"]').waitFor({ timeout: 90_000 });
    const counts = async (id: string) => page.locator(`#count-${id}`).textContent();
    await expect(counts('recipients')).resolves.toBe('4');
    await expect(counts('sent')).resolves.toBe('2');
    await expect(counts('blocked')).resolves.toBe('2');
    await expect(counts('failed')).resolves.toBe('0');
    await expect(counts('remaining')).resolves.toBe('0');
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    await expect(page.locator('#announcement-ru').textContent()).resolves.toBe(russian);
    await shot('broadcast-progress');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('broadcast-progress-desktop');
    await page.setViewportSize({ width: 412, height: 915 });
    // Each recipient once, in their own language: Anna's Telegram app speaks Russian, the admin's gives none.
    for (const [person, english, inRussian] of [[ANNA.id, 0, 1], [ADMIN_ID, 1, 0], [NOT_ADMIN.id, 0, 0], [BORIS.id, 0, 0]] as const) {
      const got = panel.world.emulator.messagesTo(person, { botId: main.id }).map((message) => message.text);
      expect({ person, english: got.filter((text) => text === announcement).length, inRussian: got.filter((text) => text === russian).length }).toEqual({ person, english, inRussian });
    }
    await page.getByRole('link', { name: 'All announcements' }).click();
    await expect(page.getByRole('cell', { name: announcement }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('cell', { name: '2 sent, 2 blocked the bot, 0 failed, 0 remaining' }).isVisible()).resolves.toBe(true);
    await shot('broadcast');
  });

  it('keeps every action in the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const text = await page.locator('main').textContent() ?? '';
    expect(text).toContain('bot.block');
    expect(text).toContain('subscription.grant');
    expect(text).toContain('compensation for the outage');
    expect(text).toContain('announcement.send');
    await shot('audit');
  });

  it('updates the migrations page in place while a weight moves, with no reload, and announces a phase change', async () => {
    await kube.create('stage-8-admin-panel');
    await kube.setStatus('stage-8-admin-panel', { phase: 'Progressing', weight: 5, currentStep: 0, stepLabel: '1/5 setWeight 5' });
    const refused: string[] = [];
    const onConsole = (message: ConsoleMessage): void => { if (message.type() === 'error') refused.push(message.text()); };
    page.on('console', onConsole);
    await page.getByRole('link', { name: 'Migrations' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/migrations');
    const row = page.locator('tr[data-key$="/stage-8-admin-panel"]');
    expect(await row.locator('td[data-field="weight"]').textContent()).toBe('5 %');
    // Marks this document: a reload or any navigation would lose it (and add a navigation entry).
    await page.evaluate('window.novaMarker = "still here"');
    // The operator's write, as it makes them: through the status subresource of the real apiserver.
    await kube.setStatus('stage-8-admin-panel', { phase: 'Paused', weight: 25, currentStep: 3, stepLabel: '4/5 pause', message: 'waiting for a person', analysis: { lastResult: 'Pass', summary: 'errors 0.00%' } });
    // Playwright's own wait on the page's state (waitForFunction would eval a string, which the panel's CSP forbids).
    await row.locator('td[data-field="weight"]').filter({ hasText: /^25 %$/ }).waitFor({ timeout: 30_000 });
    await expect(row.locator('td[data-field="phase"]').textContent()).resolves.toBe('Paused');
    await expect(row.locator('td[data-field="step"]').textContent()).resolves.toBe('4/5 pause');
    await expect(row.locator('td[data-field="message"]').textContent()).resolves.toBe('waiting for a person');
    await expect(row.locator('td[data-field="analysis"]').textContent()).resolves.toBe('Pass · errors 0.00%');
    expect(await page.evaluate('window.novaMarker')).toBe('still here');
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    await expect(page.locator('[aria-live="polite"]').textContent()).resolves.toBe(`${kube.namespace}/stage-8-admin-panel: Progressing → Paused`);
    // The one script is the panel's own file, within its Content-Security-Policy: nothing refused.
    expect(await page.evaluate('Array.from(document.scripts).map((s) => s.getAttribute("src"))')).toEqual(['/admin/assets/migrations.js']);
    page.off('console', onConsole);
    expect(refused).toEqual([]);
    await shot('migrations');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('migrations-desktop');
    await page.setViewportSize({ width: 412, height: 915 });
  });

  it('shows the numbers now and charts them over time from the panel\'s own samples, with no script', async () => {
    await page.getByRole('link', { name: 'Numbers' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/');
    // The panel samples every second here: the charts have lines once two samples are stored.
    await until('the users and bots charts draw a line', async () => {
      await page.reload();
      return (await page.locator('figure.chart polyline').count()) >= 2;
    }, 60_000, 1_000);
    const cards = await page.locator('main').textContent() ?? '';
    expect(cards).toMatch(/Users\s*\d+/);
    expect(cards).toMatch(/Bots\s*1\b/);
    expect(cards).toMatch(/Blocked bots\s*1\b/);
    expect(cards).toContain('Active subscriptions');
    await expect(page.getByRole('img', { name: /^Users: Users \d+/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('img', { name: /^Bots: Bots 1, Blocked 1$/ }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    await shot('numbers');
    // The same pages on a desktop's width (the README's screenshots).
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('numbers-desktop');
    await page.goto(`${panel.admin.url}/admin/users/${String(ANNA.id)}`);
    await shot('user-desktop');
    await page.setViewportSize({ width: 412, height: 915 });
  });

  it('speaks the browser\'s language (Accept-Language: ru), and its switch turns every page to English and back, with no script', async () => {
    await page.setExtraHTTPHeaders({ 'accept-language': 'ru-RU,ru;q=0.9' });
    const annaPath = `/admin/users/${String(ANNA.id)}`;
    await page.goto(`${panel.admin.url}${annaPath}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await expect(page.getByRole('heading', { name: 'Недавние действия' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Пользователи' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: `Разблокировать @${child.username}` }).isVisible()).resolves.toBe(true);
    await shot('user-ru');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL((url) => url.pathname === annaPath);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(page.getByRole('heading', { name: 'Recent activity' }).isVisible()).resolves.toBe(true);
    // The choice holds on the next page, though the browser still asks for Russian.
    await page.getByRole('link', { name: 'Numbers' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/');
    await expect(page.getByRole('heading', { name: 'Platform numbers' }).isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'Русский' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/');
    await expect(page.getByRole('heading', { name: 'Показатели платформы' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    await page.setExtraHTTPHeaders({});
  });
});
