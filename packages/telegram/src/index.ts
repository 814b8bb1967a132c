export { TelegramClient, DEFAULT_API_ROOT, type TelegramClientOptions, type CallOptions, type TelegramMethods, type TelegramMethod, type MethodParams, type MethodResult } from './client.js';
export { TelegramClients, type TelegramClientsOptions } from './clients.js';
export { createTelegraf, ClientTelegram, type TelegrafOptions } from './telegraf.js';
export { RecordingTelegram, routeUpdate, type TelegramCallRecorder } from './recording-telegram.js';
export {
  TelegramApiError,
  TelegramRateLimitError,
  TelegramTransportError,
  TelegramQueueFullError,
  TelegramClientClosedError,
  TelegramSendNotStartedError,
  InvalidBotTokenError,
  UnsupportedInputFileError,
  type TelegramErrorEnvelope,
  type TransportFailure,
} from './errors.js';
export { redactToken, botIdOf, isBotToken, BOT_TOKEN_PATTERN } from './token.js';
export { TELEGRAM_DOCUMENTED_LIMITS, DEFAULT_RATE_LIMITS, DEFAULT_RETRY, type RateLimitSettings, type RetrySettings } from './settings.js';
export { CIRCUIT_STATE_METRIC, TELEGRAM_CALLS_METRIC, type CallOutcome } from './metrics.js';
export { isMessageMethod } from './methods.js';
export type { SendGate } from './send-gate.js';
export { InFlightWindow, type ReleaseSlot } from './limits.js';
export type { InputFileUpload } from './request-body.js';
export type { TelegramLogger, LogFn } from './logger.js';
// Circuit errors come from the shared breaker.
export { CircuitOpenError } from '@nova/resilience';
