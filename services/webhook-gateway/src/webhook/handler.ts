/**
 * The webhook endpoint, shared by the webhook gateway and the monolith: authenticate the call
 * (constant-time), check the body is a Telegram Update, hand its envelope to `accept`, and answer
 * Telegram. 200 only once `accept` resolved (the gateway: JetStream acked the write); 4xx for
 * anything a retry cannot fix (bad JSON, not an Update, unknown bot, wrong secret; the HTTP server
 * answers 413 for a body over the limit), never 5xx; 503 only when the update could not be
 * stored or the caller not be authenticated right now, so Telegram retries it.
 */
import { trace } from '@opentelemetry/api';
import type { HttpHandler, HttpReply, HttpRequest, HttpServer, Logger } from '@nova/platform';
import { updateEnvelope, type UpdateEnvelope } from './envelope.js';
import { WEBHOOK_PREFIX, webhookTarget, type WebhookTarget } from './paths.js';
import { matchesHash, secretHeader, sha256 } from './secrets.js';
import { MalformedJsonError, NotAnUpdateError, readWebhookUpdate } from './telegram-update.js';
import type { WebhookAuthSource } from './webhook-auth.js';

export interface WebhookOptions {
  /** The main bot's id (the number before ':' in its token). */
  readonly mainBotId: bigint;
  /** NOVA_WEBHOOK_SECRET: the main bot's secret_token. */
  readonly mainSecret: string;
  /** Child bots' credentials (svc.bot.webhook_auth, cached). */
  readonly auth: WebhookAuthSource;
  /** Stores (or, in the legacy monolith, processes) one update; resolving means Telegram may forget it. */
  readonly accept: (envelope: UpdateEnvelope) => Promise<void>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** Telegram's updates are kilobytes; a megabyte leaves room and refuses floods early. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

interface Caller {
  readonly botId: bigint;
  readonly role: 'main' | 'child';
  /** An admin blocked this child bot: answered 200 and dropped, so Telegram stops retrying. */
  readonly blocked?: boolean;
}

type Authentication = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly reply: HttpReply; readonly reason: string };

const text = (status: number, body: string): HttpReply => ({ status, body: `${body}\n` });
const refused = (status: number, body: string, reason: string): Authentication => ({ ok: false, reply: text(status, body), reason });

async function authenticate(target: WebhookTarget, presented: string | undefined, options: WebhookOptions, mainSecretSha256: Uint8Array): Promise<Authentication> {
  if (target.kind === 'main') {
    return matchesHash(presented, mainSecretSha256) ? { ok: true, caller: { botId: options.mainBotId, role: 'main' } } : refused(401, 'wrong secret token', 'wrong or missing secret token');
  }
  // The main bot has its own path; its token on the legacy path is not a child bot's.
  if (target.botId === options.mainBotId) return refused(404, 'no such bot', 'the main bot on a child bot\'s path');
  const auth = await options.auth.lookup(target.botId);
  if (auth === undefined) return refused(404, 'no such bot', 'unknown bot');
  if (target.kind === 'legacy') {
    if (!matchesHash(target.token, auth.tokenSha256)) return refused(404, 'no such bot', 'unknown token');
    // Bots from before secret tokens send none; one that is sent must be right.
    if (presented !== undefined && !matchesHash(presented, auth.webhookSecretSha256)) return refused(401, 'wrong secret token', 'wrong secret token');
    return { ok: true, caller: { botId: target.botId, role: 'child', blocked: auth.blocked } };
  }
  return matchesHash(presented, auth.webhookSecretSha256) ? { ok: true, caller: { botId: target.botId, role: 'child', blocked: auth.blocked } } : refused(401, 'wrong secret token', 'wrong or missing secret token');
}

export function webhookHandler(options: WebhookOptions): HttpHandler {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  // Hashed once: the main bot's secret is fixed for the process's life.
  const mainSecretSha256 = sha256(options.mainSecret);
  return async (request: HttpRequest): Promise<HttpReply> => {
    const target = webhookTarget(request.path);
    if (target === undefined) {
      logger.info({ webhook: 'none' }, 'webhook refused: no such webhook path');
      return text(404, 'no such webhook');
    }
    const where = { webhook: target.kind, bot: target.kind === 'main' ? options.mainBotId.toString() : target.botId.toString() };
    let authentication: Authentication;
    try {
      authentication = await authenticate(target, secretHeader(request.headers), options, mainSecretSha256);
    } catch (error) {
      logger.warn({ ...where, err: error }, 'webhook not accepted now: cannot authenticate it; Telegram will retry');
      return text(503, 'cannot authenticate now, retry later');
    }
    if (!authentication.ok) {
      logger.info({ ...where, status: authentication.reply.status, reason: authentication.reason }, 'webhook refused');
      return authentication.reply;
    }
    if (authentication.caller.blocked === true) {
      // Authenticated first, so only Telegram (which holds the secret) learns nothing more than 200.
      logger.info({ ...where, reason: 'bot blocked by an admin' }, 'webhook dropped');
      return { status: 200 };
    }
    let envelope: UpdateEnvelope;
    try {
      envelope = updateEnvelope(readWebhookUpdate(request.body), authentication.caller.botId, authentication.caller.role, now());
    } catch (error) {
      if (!(error instanceof MalformedJsonError || error instanceof NotAnUpdateError)) throw error;
      logger.info({ ...where, status: 400, reason: error.message }, 'webhook refused');
      return text(400, error.message);
    }
    trace.getActiveSpan()?.setAttributes({ 'telegram.bot.id': where.bot, 'telegram.update.id': String(envelope.updateId), 'telegram.update.kind': envelope.kind ?? '' });
    try {
      await options.accept(envelope);
    } catch (error) {
      logger.warn({ ...where, update: String(envelope.updateId), err: error }, 'webhook not accepted now: the update could not be stored; Telegram will retry');
      return text(503, 'cannot store the update now, retry later');
    }
    return { status: 200 };
  };
}

/** Serves every webhook path under /webhook/ (the `route` label of the request metrics). */
export function registerWebhookRoutes(http: Pick<HttpServer, 'route'>, options: WebhookOptions): void {
  http.route('POST', WEBHOOK_PREFIX, webhookHandler(options), { bodyLimit: WEBHOOK_BODY_LIMIT });
}
