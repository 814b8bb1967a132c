/**
 * The admin panel against the real fleet: a World (its own nats-server and database, the
 * Telegram emulator), the gateway, the user, bot, payment and publisher services (the publisher
 * sends the Broadcast page's announcements), and the admin-panel service, all processes from their builds. Admin sign-in links are signed with the main bot's
 * token exactly as Telegram's Login Widget signs them.
 */
import { signTelegramLogin } from '@nova/admin-panel/domain';
import { freePort } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import type { UserSpec } from '@nova/telegram-emulator';
import type { RunningService } from '../../services/support/services.js';
import { World, type Env, type Fleet } from '../../services/support/world.js';

export const ADMIN_ID = 70_001;
export const NOT_ADMIN_ID = 70_002;
/** The admin and someone else, as they write to the main bot. */
export const ADMIN: UserSpec = { id: ADMIN_ID, first_name: 'Admin', username: 'boss' };
export const NOT_ADMIN: UserSpec = { id: NOT_ADMIN_ID, first_name: 'Eve', username: 'eve' };

export interface Panel {
  readonly world: World;
  readonly fleet: Fleet;
  readonly payments: RunningService;
  readonly publisher: RunningService;
  readonly admin: RunningService;
  readonly sessionKey: string;
  /** The env the admin panel runs with (the monolith gets the same admin variables). */
  readonly adminEnv: Env;
}

export function adminVariables(sessionKey: string): Env {
  return { NOVA_ADMIN_TELEGRAM_IDS: String(ADMIN_ID), NOVA_ADMIN_SESSION_KEY: sessionKey };
}

/** What the main bot needs to answer an admin's /admin with a one-time link to the panel at `panelUrl`. */
export function adminLinkVariables(sessionKey: string, panelUrl: string): Env {
  return { ...adminVariables(sessionKey), NOVA_ADMIN_PANEL_URL: panelUrl };
}

export async function startPanel(prefix: string, extra: Env = {}): Promise<Panel> {
  const world = await World.create(prefix);
  const sessionKey = randomBytes(32).toString('base64');
  // The panel's address is chosen first: the bot service's /admin links point at it.
  const adminAddress = `127.0.0.1:${String(await freePort())}`;
  const fleet = await world.startFleet({ bots: adminLinkVariables(sessionKey, `http://${adminAddress}`) });
  const [payments, publisher] = await Promise.all([
    world.start('payment-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl }),
    world.start('publisher-service', {
      NOVA_NATS_URL: world.nats.url,
      NOVA_DATABASE_URL: world.databaseUrl,
      NOVA_TOKEN_ENCRYPTION_KEY: world.secrets.encryptionKey,
      NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
      NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot,
    }),
  ]);
  const adminEnv: Env = {
    NOVA_NATS_URL: world.nats.url,
    NOVA_DATABASE_URL: world.databaseUrl,
    NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
    ...adminVariables(sessionKey),
    ...extra,
  };
  const admin = await world.start('admin-panel', adminEnv, adminAddress);
  return { world, fleet, payments, publisher, admin, sessionKey, adminEnv };
}

/** A Login Widget redirect URL for `telegramId`, signed with `token` (default: the main bot's), dated `authDate`. */
export function loginUrl(base: string, token: string, telegramId: number, options: { authDate?: Date; next?: string; firstName?: string } = {}): string {
  const fields = {
    id: String(telegramId),
    first_name: options.firstName ?? 'Admin',
    username: `admin${String(telegramId)}`,
    auth_date: String(Math.floor((options.authDate ?? new Date()).getTime() / 1000)),
  };
  const query = new URLSearchParams({ ...fields, hash: signTelegramLogin(fields, token) });
  if (options.next !== undefined) query.set('next', options.next);
  return `${base}/admin/auth/telegram?${query.toString()}`;
}

/** The name=value part of a Set-Cookie header. */
export function cookiePair(setCookie: string | null): string {
  if (setCookie === null) throw new Error('no Set-Cookie in the answer');
  return setCookie.split(';')[0] ?? '';
}

/** The one-time sign-in link in the main bot's answer to /admin. */
export function signInLinkIn(text: string | undefined): string {
  const match = /https?:\/\/\S+\/admin\/auth\/link\?t=\S+/.exec(text ?? '');
  if (match === null) throw new Error('no sign-in link in the main bot\'s answer');
  return match[0];
}

/** The CSRF token in a page's forms. */
export function csrfIn(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (match?.[1] === undefined) throw new Error('no CSRF field in the page');
  return match[1];
}
