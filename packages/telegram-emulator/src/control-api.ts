/**
 * `/_emulator/...`: drive the emulator from another process (the demo, a shell). JSON in, JSON
 * out; bots are named by id, so tokens need not travel after a bot is created.
 *
 *   POST /_emulator/bots              { username, firstName?, token? }          -> { token, id, username }
 *   POST /_emulator/messages          { botId, from, chat?, text }               -> Update
 *   POST /_emulator/clicks            { botId, from, chatId, messageId, data }   -> Update
 *   POST /_emulator/faults            { botId, status|hang|retryAfter, forMs?, times?, methods? }
 *   DELETE /_emulator/faults?botId=N
 *   PUT /_emulator/rate-limits        { perChat?, perGroup?, perBot? } or false
 *   GET /_emulator/calls?since=SEQ&botId=N&method=M
 *   GET /_emulator/chats/<chatId>/messages?botId=N
 *   GET /_emulator/bots/<botId>/webhook
 *   GET /_emulator/bots/<botId>/delivery   -> { maxConnections, inFlight, maxInFlightSeen, pendingUpdateCount, droppedUpdateCount, droppedUpdateIds }
 *   GET /_emulator/deliveries?botId=N
 */
import type { IncomingMessage } from 'node:http';
import type { TelegramEmulator } from './emulator.js';
import type { FaultSpec } from './faults.js';
import type { EmulatorRateLimits } from './rate-limits.js';
import type { UserClick, UserMessage } from './updates.js';

interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

export function handleControl(emulator: TelegramEmulator, request: IncomingMessage, url: URL, body: Buffer): Promise<ControlAnswer> {
  try {
    return Promise.resolve(route(emulator, request, url, body));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function route(emulator: TelegramEmulator, request: IncomingMessage, url: URL, body: Buffer): ControlAnswer {
  const path = url.pathname.replace(/^\/_emulator/u, '');
  const route = `${request.method ?? 'GET'} ${path}`;
  const input = (): Record<string, unknown> => parseObject(body);
  const numberParam = (name: string): number | undefined => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : undefined);

  if (route === 'POST /bots') {
    const { username, firstName, token } = input();
    if (typeof username !== 'string') throw new Error('username is required');
    return ok(emulator.createBot({ username, ...(typeof firstName === 'string' ? { firstName } : {}), ...(typeof token === 'string' ? { token } : {}) }));
  }
  if (route === 'POST /messages') {
    const { botId, ...message } = input();
    return ok(emulator.userSends(requireBotId(botId), message as unknown as UserMessage));
  }
  if (route === 'POST /clicks') {
    const { botId, ...click } = input();
    return ok(emulator.userClicks(requireBotId(botId), click as unknown as UserClick));
  }
  if (route === 'POST /faults') {
    const { botId, ...fault } = input();
    emulator.injectFault(requireBotId(botId), fault as unknown as FaultSpec);
    return ok({ injected: true });
  }
  if (route === 'DELETE /faults') {
    emulator.clearFaults(requireBotId(numberParam('botId')));
    return ok({ cleared: true });
  }
  if (route === 'PUT /rate-limits') {
    const limits = JSON.parse(body.toString('utf8') || 'false') as Partial<EmulatorRateLimits> | false;
    emulator.setRateLimits(limits);
    return ok({ limits });
  }
  if (route === 'GET /calls') {
    const since = numberParam('since') ?? 0;
    const botId = numberParam('botId');
    const method = url.searchParams.get('method');
    return ok(emulator.calls((call) => call.seq > since && (botId === undefined || call.botId === botId) && (method === null || call.method === method)));
  }
  if (route === 'GET /deliveries') return ok(emulator.deliveries(numberParam('botId')));
  const chatMessages = /^GET \/chats\/(-?\d+)\/messages$/u.exec(route);
  if (chatMessages?.[1] !== undefined) {
    const botId = numberParam('botId');
    return ok(emulator.messagesTo(Number(chatMessages[1]), botId === undefined ? {} : { botId }));
  }
  const webhook = /^GET \/bots\/(\d+)\/webhook$/u.exec(route);
  if (webhook?.[1] !== undefined) return ok(emulator.webhookInfo(Number(webhook[1])));
  const delivery = /^GET \/bots\/(\d+)\/delivery$/u.exec(route);
  if (delivery?.[1] !== undefined) return ok(emulator.deliveryState(Number(delivery[1])));
  return { status: 404, body: { error: `no control route ${route}` } };
}

function ok(body: unknown): ControlAnswer {
  return { status: 200, body };
}

function parseObject(body: Buffer): Record<string, unknown> {
  const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
  return parsed as Record<string, unknown>;
}

function requireBotId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error('botId (a number) is required');
  return value;
}
