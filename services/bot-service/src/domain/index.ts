export { BOT_MIGRATIONS_DIR, BOT_SCHEMA, openBotDatabase, type BotDatabase, type BotDatabaseOptions, type BotTransaction } from './database.js';
export { pruneBotHistory } from './effects.js';
export { botOutboxStore, flushBotOutbox } from './outbox-store.js';
export { BotKeyring, InvalidEncryptionKeyError, TokenDecryptionError, TokenKeyMismatchError, matchesSha256, sha256, type SealedToken } from './keyring.js';
export { InvalidBotTokenError, REDACTED_TOKEN, looksLikeBotToken, parseBotToken, redactBotTokens, type ParsedBotToken } from './token.js';
export { BotTokens, InvalidMainBotTokenError, mainBotIdentity, type MainBotIdentity } from './bot-tokens.js';
export {
  TelegramRejectedError,
  type OutgoingMessage,
  type ReplyMarkup,
  type TelegramBotInfo,
  type TelegramGateway,
  type WebhookSettings,
} from './telegram-gateway.js';
export { TelegramUnavailableError } from './telegram-calls.js';
export { DEFAULT_GREETING, MAX_MESSAGE_LENGTH, NAME_PLACEHOLDER, renderGreeting, validGreeting } from './greeting.js';
export { childWebhookUrl, type RegistryDeps } from './registry/deps.js';
export { BotAlreadyAddedError, BotTokenRejectedError, addChildBot, type AddBotInput } from './registry/add-bot.js';
export { BotLimitReachedError, FREE_CHILD_BOTS, SUBSCRIBED_CHILD_BOTS, requireBotAllowance, type BotsEntitlement } from './registry/bot-allowance.js';
export { removeChildBot } from './registry/remove-bot.js';
export { setBotGreeting } from './registry/set-greeting.js';
export { botsOwnedBy } from './registry/queries.js';
export { createBotHandlers } from './handlers.js';
export { localeOfRecipient, localeOfUser, registerSender, registerSenderSpeaking, storeChosenLanguage, type Registration, type SpeakingRegistration, type UserRegistry } from './users.js';
export { MalformedUpdateError, readIncomingUpdate, type IncomingMessage, type IncomingSender, type IncomingUpdate } from './updates/incoming.js';
export { audienceMemberOf, greetingReply, type ChildBotDecision, type ChildBotView } from './child-bot/reply.js';
export { routeChildBotUpdate, type ChildBotTurn } from './child-bot/router.js';
export { concludeMainBot, decideMainBot, type IntentOutcome, type MainBotIntent, type MainBotStep, type MainBotView } from './main-bot/decide.js';
export type { MainBotCommand, MainBotInput } from './main-bot/input.js';
export { adminSignInDesk, type AdminLinkAsker, type AdminLinkOffer, type AdminSignInDesk, type AdminSignInOptions } from './main-bot/admin-link.js';
export { routeMainBotMessage, type MainBotTurn } from './main-bot/router.js';
export { IDLE, type ConversationState } from './main-bot/state.js';
export { buttons, buyCommand, cancelOnly, LANGUAGE_BUTTONS, MAIN_BOT_CATALOGUE, menu, paymentTexts, PROVIDER_NAME, texts } from './main-bot/texts.js';
export { MAIN_BOT_SPEC } from './main-bot/catalogue/spec.js';
export type { Reply } from './replies/reply.js';
export { ReplyRecorder, UnrecordableCallError, say, type RecordedMessage } from './replies/reply-recorder.js';
export { RepliesBusyError, deliverReplies, type DeliveryDeps, type DeliveryReport } from './replies/outgoing.js';
export { createUpdateProcessor, type UpdateProcessor } from './process/processor.js';
export type { BusinessConnectionSink, PaymentDesk, PublisherDesk, UpdateProcessingDeps } from './process/deps.js';
export { businessConnectionOf } from './updates/business-connection.js';
export { announceSubscription } from './process/payment-notices.js';
export { concludePayment, decidePayment, formatPrice, type PaymentInput, type PaymentIntent, type PaymentOutcome } from './main-bot/payments.js';
export type { ProcessOutcome } from './process/outcome.js';
export { updateEffectKey } from './process/shared.js';
export { concludePublishing, decidePublishing, publishingTexts, scheduleOf, type PublishingInput, type PublishingIntent, type PublishingOutcome } from './main-bot/publishing.js';
