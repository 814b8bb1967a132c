/**
 * Answers one Bot API call the way Telegram does, in Telegram's order: the token (401), the
 * parameters (400), an injected fault, the method (404), the message limits (429), then the
 * method itself. Every call is recorded; the token never is.
 */
import { ApiFailure, internalServerError, notFound, tooManyRequests, unauthorized } from './api-failure.js';
import type { BotState } from './bot-state.js';
import { botIdOfToken } from './bot-token.js';
import { preciseNow, type CallLog } from './call-log.js';
import { BAD_GATEWAY_HTML, type FaultPlan } from './faults.js';
import { isLimitedMethod, methodNamed, type MethodEnv } from './methods/index.js';
import { requiredChatId, type Params } from './params.js';
import type { RateLimiter } from './rate-limits.js';

export type CallAnswer =
  | { readonly kind: 'json'; readonly status: number; readonly body: object }
  | { readonly kind: 'html'; readonly status: number; readonly body: string }
  | { readonly kind: 'hang' };

export interface CallContext {
  readonly botByToken: (token: string) => BotState | undefined;
  readonly faultsOf: (bot: BotState) => FaultPlan;
  /** Undefined while limits are off. */
  readonly limiter: () => RateLimiter | undefined;
  readonly log: CallLog;
  readonly env: MethodEnv;
}

export async function answerCall(
  context: CallContext,
  token: string,
  requestedMethod: string,
  readParams: () => Promise<Params>,
  via: 'http' | 'webhook-reply',
): Promise<CallAnswer> {
  const at = Date.now();
  const preciseAt = preciseNow();
  let params: Params = {};
  let method = requestedMethod;
  const bot = context.botByToken(token);
  const record = (answer: CallAnswer): CallAnswer => {
    const envelope = answer.kind === 'json' ? (answer.body as { ok?: boolean; result?: unknown; error_code?: number; description?: string }) : undefined;
    context.log.record({
      at,
      preciseAt,
      botId: bot?.id ?? botIdOfToken(token),
      method,
      params,
      status: answer.kind === 'hang' ? 0 : answer.status,
      ok: envelope?.ok === true,
      ...(envelope?.ok === true ? { result: envelope.result } : {}),
      ...(envelope?.error_code === undefined ? {} : { errorCode: envelope.error_code }),
      ...(envelope?.description === undefined ? {} : { description: envelope.description }),
      via,
    });
    return answer;
  };
  try {
    if (bot === undefined) throw unauthorized();
    params = await readParams();
    const fault = context.faultsOf(bot).take(method, at);
    const answerDelayMs = fault !== undefined && 'answerDelayMs' in fault ? fault.answerDelayMs : 0;
    if (fault !== undefined && !('answerDelayMs' in fault)) {
      if ('hang' in fault) return record({ kind: 'hang' });
      if ('retryAfter' in fault) throw tooManyRequests(fault.retryAfter);
      if (fault.status === 500) throw internalServerError();
      return record({ kind: 'html', status: fault.status, body: fault.status === 502 ? BAD_GATEWAY_HTML : `<html><body><h1>${String(fault.status)}</h1></body></html>` });
    }
    const known = methodNamed(method);
    if (known === undefined) throw notFound();
    method = known.name;
    const limiter = context.limiter();
    if (limiter !== undefined && isLimitedMethod(method) && params['chat_id'] !== undefined) {
      const chatId = requiredChatId(params);
      const retryAfter = limiter.admit(bot.id, String(chatId), typeof chatId === 'string' || chatId < 0, at);
      if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
    }
    const outcome = await known.handler(bot, params, context.env);
    const answer = record({ kind: 'json', status: 200, body: { ok: true, result: outcome.result, ...(outcome.description === undefined ? {} : { description: outcome.description }) } });
    // Done and recorded now; the caller hears of it only later.
    if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
    return answer;
  } catch (error) {
    if (error instanceof ApiFailure) return record({ kind: 'json', status: error.errorCode, body: error.envelope });
    throw error;
  }
}
