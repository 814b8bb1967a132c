/** setWebhook, deleteWebhook, getWebhookInfo, getUpdates. */
import { badRequest, conflict } from '../api-failure.js';
import type { BotState } from '../bot-state.js';
import { optionalBoolean, optionalInteger, optionalJson, optionalString } from '../params.js';
import type { WebhookInfo } from '../wire.js';
import type { MethodHandler } from './types.js';

const SECRET_TOKEN = /^[A-Za-z0-9_-]+$/u;
/** setWebhook's max_connections: 1-100, default 40 (Bot API). */
export const DEFAULT_MAX_CONNECTIONS = 40;
export const MAX_CONNECTIONS = 100;
const WEBHOOK_PORTS = new Set(['', '80', '88', '443', '8443']);

export const setWebhook: MethodHandler = (bot, params, env) => {
  const url = optionalString(params, 'url') ?? '';
  if (url === '') return removeWebhook(bot, optionalBoolean(params, 'drop_pending_updates') ?? false, env.webhookChanged);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid webhook URL specified');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !env.requireHttps)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  if (env.requireHttps && !WEBHOOK_PORTS.has(parsed.port)) throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
  const secretToken = optionalString(params, 'secret_token');
  if (secretToken !== undefined) {
    if (secretToken.length > 256) throw badRequest('secret token is too long');
    if (!SECRET_TOKEN.test(secretToken)) throw badRequest('secret token contains unallowed characters');
  }
  // The Bot API server clamps max_connections into 1-100 rather than refusing it (its
  // get_webhook_max_connections); 40 when omitted, as the Bot API documents.
  const maxConnections = Math.min(MAX_CONNECTIONS, Math.max(1, optionalInteger(params, 'max_connections') ?? DEFAULT_MAX_CONNECTIONS));
  const allowedUpdates = optionalJson(params, 'allowed_updates');
  if (allowedUpdates !== undefined && !(Array.isArray(allowedUpdates) && allowedUpdates.every((item) => typeof item === 'string'))) {
    throw badRequest("can't parse allowed updates");
  }
  const same = bot.webhook?.url === url && bot.webhook.secretToken === secretToken && bot.webhook.maxConnections === maxConnections;
  bot.webhook = { url, secretToken: secretToken === '' ? undefined : secretToken, maxConnections, allowedUpdates };
  if (optionalBoolean(params, 'drop_pending_updates') === true) bot.pending.length = 0;
  bot.lastError = undefined;
  env.webhookChanged(bot);
  return { result: true, description: same ? 'Webhook is already set' : 'Webhook was set' };
};

export const deleteWebhook: MethodHandler = (bot, params, env) =>
  removeWebhook(bot, optionalBoolean(params, 'drop_pending_updates') ?? false, env.webhookChanged);

function removeWebhook(bot: BotState, dropPending: boolean, changed: (bot: BotState) => void): { result: true; description: string } {
  const had = bot.webhook !== undefined;
  bot.webhook = undefined;
  if (dropPending) bot.pending.length = 0;
  changed(bot);
  return { result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' };
}

export const getWebhookInfo: MethodHandler = (bot) => {
  const info: WebhookInfo = {
    url: bot.webhook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: bot.pending.length,
    ...(bot.webhook === undefined ? {} : { ip_address: '127.0.0.1', max_connections: bot.webhook.maxConnections }),
    ...(bot.webhook?.allowedUpdates === undefined ? {} : { allowed_updates: bot.webhook.allowedUpdates }),
    ...(bot.lastError === undefined ? {} : { last_error_date: bot.lastError.date, last_error_message: bot.lastError.message }),
  };
  return { result: info };
};

export const getUpdates: MethodHandler = async (bot, params, env) => {
  if (bot.webhook !== undefined) throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  const offset = optionalInteger(params, 'offset');
  const limit = Math.min(100, Math.max(1, optionalInteger(params, 'limit') ?? 100));
  const timeoutSeconds = Math.min(50, Math.max(0, optionalInteger(params, 'timeout') ?? 0));
  if (offset !== undefined) {
    // An offset confirms every update before it.
    const confirmed = offset < 0 ? Math.max(0, bot.pending.length + offset) : bot.pending.findIndex((update) => update.update_id >= offset);
    bot.pending.splice(0, confirmed < 0 ? bot.pending.length : confirmed);
  }
  if (bot.pending.length === 0 && timeoutSeconds > 0) await env.waitForUpdate(bot, timeoutSeconds * 1000);
  return { result: bot.pending.slice(0, limit) };
};
