export { BOT_UPDATES_CONSUMER, LEGACY_BOT_UPDATES_CONSUMER, LEGACY_PAYMENT_NOTICES_CONSUMER, PAYMENT_NOTICES_CONSUMER, startBotContext, type BotContext, type BotContextHost, type BotContextOptions } from './bot-context.js';
export { BotConfigError, botContextConfig, checkBotConfig, durations, retryHorizonMs, updateRetry, type BotContextConfig } from './config.js';
export { mainWebhookUrl, setMainWebhook, type MainWebhookOptions } from './main-webhook.js';
export { ClientTelegramGateway } from './telegram-gateway.js';
export { telegramClientsFor } from './telegram-clients.js';
export { updateHandler } from './update-handler.js';
export { BusUserRegistry } from './user-registry.js';
export { BusPaymentDesk } from './payment-desk.js';
export { PaymentsBotsEntitlement } from './bots-entitlement.js';
