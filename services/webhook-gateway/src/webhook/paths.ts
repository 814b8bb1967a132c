/**
 * The webhook paths Telegram posts to:
 *   /webhook/main        the main bot (secret: NOVA_WEBHOOK_SECRET)
 *   /webhook/bot/<id>    a child bot by id, token-free (secret: the bot's own secret_token)
 *   /webhook/<token>     a child bot's legacy path (the token itself, checked by hash)
 * The legacy path carries a bot token: it is parsed here and never logged or echoed.
 */

export type WebhookTarget =
  | { readonly kind: 'main' }
  | { readonly kind: 'bot'; readonly botId: bigint }
  | { readonly kind: 'legacy'; readonly botId: bigint; readonly token: string };

export const WEBHOOK_PREFIX = '/webhook/';

const BOT_ID = /^[1-9]\d{0,15}$/;
const TOKEN = /^([1-9]\d{0,15}):[A-Za-z0-9_-]{30,64}$/;

/** The target of a path under /webhook/, or undefined for a path that names none. */
export function webhookTarget(path: string): WebhookTarget | undefined {
  if (!path.startsWith(WEBHOOK_PREFIX)) return undefined;
  const rest = path.slice(WEBHOOK_PREFIX.length);
  if (rest === 'main') return { kind: 'main' };
  if (rest.startsWith('bot/')) {
    const id = rest.slice('bot/'.length);
    return BOT_ID.test(id) ? { kind: 'bot', botId: BigInt(id) } : undefined;
  }
  let token: string;
  try {
    token = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  const match = TOKEN.exec(token);
  return match?.[1] === undefined ? undefined : { kind: 'legacy', botId: BigInt(match[1]), token };
}
