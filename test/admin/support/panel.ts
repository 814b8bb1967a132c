/**
 * The admin panel against the real fleet: a World (its own nats-server and database, the
 * Telegram emulator), the gateway, the user, bot and payment services, and the admin-panel
 * service, all processes from their builds. Admin sign-in links are signed with the main bot's
 * token exactly as Telegram's Login Widget signs them.
 */
import { signTelegramLogin } from '@nova/admin-panel/domain';
import { randomBytes } from 'node:crypto';
import type { RunningService } from '../../services/support/services.js';
import { World, type Env, type Fleet } from '../../services/support/world.js';

export const ADMIN_ID = 70_001;
export const NOT_ADMIN_ID = 70_002;

export interface Panel {
  readonly world: World;
  readonly fleet: Fleet;
  readonly payments: RunningService;
  readonly admin: RunningService;
  readonly sessionKey: string;
  /** The env the admin panel runs with (the monolith gets the same admin variables). */
  readonly adminEnv: Env;
}

export function adminVariables(sessionKey: string): Env {
  return { NOVA_ADMIN_TELEGRAM_IDS: String(ADMIN_ID), NOVA_ADMIN_SESSION_KEY: sessionKey };
}

export async function startPanel(prefix: string, extra: Env = {}): Promise<Panel> {
  const world = await World.create(prefix);
  const fleet = await world.startFleet();
  const payments = await world.start('payment-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl });
  const sessionKey = randomBytes(32).toString('base64');
  const adminEnv: Env = {
    NOVA_NATS_URL: world.nats.url,
    NOVA_DATABASE_URL: world.databaseUrl,
    NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
    ...adminVariables(sessionKey),
    ...extra,
  };
  const admin = await world.start('admin-panel', adminEnv);
  return { world, fleet, payments, admin, sessionKey, adminEnv };
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

/** The CSRF token in a page's forms. */
export function csrfIn(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (match?.[1] === undefined) throw new Error('no CSRF field in the page');
  return match[1];
}
