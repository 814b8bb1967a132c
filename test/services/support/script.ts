/**
 * The conversation every side must hold the same way (the e2e and parity tests): Anna starts the
 * main bot, adds her own bot by token (getMe, setWebhook with a per-bot secret), Boris writes to
 * that bot and gets its greeting, Anna lists her bots. Each step waits for the bot's answer at
 * the emulator, so the calls it records come in one order on every side.
 */
import { expect } from '@jest/globals';
import { buttons, texts } from '@nova/bot-service/domain';
import type { EmulatedBot, Message, RecordedCall, TelegramEmulator, UserSpec } from '@nova/telegram-emulator';

export const ANNA: UserSpec = { id: 51_001, first_name: 'Анна', username: 'anna', language_code: 'ru' };
/** Anna's app speaks Russian: the main bot answers her in Russian, on every side of the parity test alike. */
const TEXT = texts('ru');
const BUTTONS = buttons('ru');
export const BORIS: UserSpec = { id: 51_002, first_name: 'Борис' };

const REPLY_WAIT_MS = 60_000;

/** A person writes to a bot; resolves with the bot's next message to them. */
export async function say(emulator: TelegramEmulator, bot: EmulatedBot, from: UserSpec, text: string): Promise<Message> {
  const reply = emulator.nextMessageTo(from.id, { botId: bot.id, timeoutMs: REPLY_WAIT_MS });
  emulator.userSends(bot.token, { from, text });
  return reply;
}

export interface ScriptResult {
  readonly child: EmulatedBot;
}

export async function onboardingScript(emulator: TelegramEmulator, main: EmulatedBot, childUsername = 'AnnaHelloBot'): Promise<ScriptResult> {
  const child = emulator.createBot({ username: childUsername, firstName: 'Anna hello' });

  expect((await say(emulator, main, ANNA, '/start')).text).toBe(TEXT.welcome('Анна', true));
  expect((await say(emulator, main, ANNA, BUTTONS.add)).text).toBe(TEXT.askToken);
  const added = await say(emulator, main, ANNA, child.token);
  expect(added.text).toContain(`@${childUsername} подключён`);

  expect((await say(emulator, child, BORIS, 'hi')).text).toBe('Hello, Борис! 👋');
  expect((await say(emulator, main, ANNA, BUTTONS.list)).text).toBe(`Ваши боты:\n• @${childUsername}: 1 человек`);
  return { child };
}

export interface NormalisedCall {
  readonly method: string;
  readonly bot: string;
  readonly status: number;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * The emulator's record with what differs between runs replaced by names: bots and people by
 * role, webhook URLs by their path, secrets by whose they are.
 */
export function normalisedCalls(calls: readonly RecordedCall[], names: ReadonlyMap<number, string>, mainSecret: string): NormalisedCall[] {
  const nameOf = (id: unknown): unknown => names.get(Number(id)) ?? id;
  return calls.map((call) => {
    const params: Record<string, unknown> = { ...call.params };
    if ('chat_id' in params) params.chat_id = nameOf(params.chat_id);
    if (typeof params.url === 'string' && params.url !== '') params.url = new URL(params.url).pathname.replace(/\/webhook\/bot\/(\d+)$/, (_m, id: string) => `/webhook/bot/<${String(nameOf(id))}>`);
    if (typeof params.secret_token === 'string') params.secret_token = params.secret_token === mainSecret ? '<main secret>' : `<secret of length ${String(params.secret_token.length)}>`;
    // Each deployable asks for its own max_connections (e2e-parity checks each): present, not equal.
    if (typeof params.max_connections === 'number') params.max_connections = '<max_connections>';
    return { method: call.method, bot: String(nameOf(call.botId)), status: call.status, params };
  });
}
