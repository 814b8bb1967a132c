import type { BotState } from '../bot-state.js';
import type { Params } from '../params.js';

export interface MethodOutcome {
  readonly result: unknown;
  /** Telegram adds one to some answers, e.g. "Webhook was set". */
  readonly description?: string;
}

/** What handlers may ask of the emulator around the bot. */
export interface MethodEnv {
  /** setWebhook refuses http:// URLs when true (Telegram does; tests on loopback turn it off). */
  readonly requireHttps: boolean;
  /** The bot's webhook or pending updates changed: delivery should look again. */
  readonly webhookChanged: (bot: BotState) => void;
  /** Resolves when an update is pending for the bot, or after timeoutMs (getUpdates long polling). */
  readonly waitForUpdate: (bot: BotState, timeoutMs: number) => Promise<void>;
}

export type MethodHandler = (bot: BotState, params: Params, env: MethodEnv) => MethodOutcome | Promise<MethodOutcome>;
