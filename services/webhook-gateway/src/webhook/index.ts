export { registerWebhookRoutes, webhookHandler, WEBHOOK_BODY_LIMIT, type WebhookOptions } from './handler.js';
export { updateEnvelope, type UpdateEnvelope } from './envelope.js';
export { webhookTarget, WEBHOOK_PREFIX, type WebhookTarget } from './paths.js';
export { matchesHash, sameSecret, secretHeader, sha256 } from './secrets.js';
export { MalformedJsonError, NotAnUpdateError, readWebhookUpdate, type WebhookUpdate } from './telegram-update.js';
export { busWebhookAuth, WebhookAuthCache, WebhookAuthUnavailableError, type BotWebhookAuth, type WebhookAuthCacheOptions, type WebhookAuthSource } from './webhook-auth.js';
export { mainBotIdOf, webhookConfig, type WebhookConfig } from './config.js';
