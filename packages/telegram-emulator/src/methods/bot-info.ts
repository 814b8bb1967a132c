/** getMe, getChat, answerCallbackQuery, setMyCommands, getMyCommands. */
import { badRequest } from '../api-failure.js';
import { optionalBoolean, optionalJson, optionalString } from '../params.js';
import { writableChat } from './chats.js';
import type { MethodHandler } from './types.js';

export const getMe: MethodHandler = (bot) => ({ result: bot.user });

export const getChat: MethodHandler = (bot, params) => ({ result: writableChat(bot, params) });

export const answerCallbackQuery: MethodHandler = (bot, params) => {
  const id = optionalString(params, 'callback_query_id');
  const state = id === undefined ? undefined : bot.callbackQueries.get(id);
  if (state === undefined || state.answer !== undefined) throw badRequest('query is too old and response timeout expired or query ID is invalid');
  const text = optionalString(params, 'text');
  if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
  state.answer = { text, showAlert: optionalBoolean(params, 'show_alert') ?? false };
  return { result: true };
};

export const setMyCommands: MethodHandler = (bot, params) => {
  const commands = optionalJson(params, 'commands');
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  for (const command of commands as unknown[]) {
    const name = typeof command === 'object' && command !== null && 'command' in command ? command.command : undefined;
    if (typeof name !== 'string' || !/^[a-z0-9_]{1,32}$/u.test(name)) throw badRequest('BOT_COMMAND_INVALID');
  }
  bot.commands = commands as unknown[];
  return { result: true };
};

export const getMyCommands: MethodHandler = (bot) => ({ result: bot.commands });
