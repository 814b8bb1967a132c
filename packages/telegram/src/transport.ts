/**
 * One HTTP attempt of a Bot API call: POST /bot<token>/<method>, Telegram's envelope decoded
 * into the result or a typed error. The URL (it holds the token) never leaves this module: errors
 * carry the bot id and a token-free detail.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { TelegramApiError, TelegramRateLimitError, TelegramTransportError, type TelegramErrorEnvelope } from './errors.js';
import { encodeParams } from './request-body.js';
import { redactToken } from './token.js';

export interface AttemptTarget {
  readonly apiRoot: string;
  readonly token: string;
  readonly botId: string;
  readonly timeoutMs: number;
}

export async function postMethod(
  target: AttemptTarget,
  method: string,
  params: Readonly<Record<string, unknown>>,
  signal: AbortSignal | undefined,
  /** Called when the answer's status and headers arrived: Telegram had the request by then. */
  onAnswer?: () => void,
): Promise<unknown> {
  const { body, contentType } = encodeParams(method, params);
  // './' keeps `bot<id>:<secret>` from being read as a URL scheme.
  const url = new URL(`./bot${target.token}/${method}`, target.apiRoot.endsWith('/') ? target.apiRoot : `${target.apiRoot}/`);
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  let status: number;
  let statusText: string;
  let text: string;
  try {
    // HTTP instrumentation would record the URL, token and all, as a span attribute: this call
    // has its own span (telegram.<method>) and the HTTP layer below it stays untraced.
    const response = await context.with(suppressTracing(context.active()), () =>
      fetch(url, { method: 'POST', headers, body, signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) }),
    );
    onAnswer?.();
    status = response.status;
    statusText = response.statusText;
    text = await response.text();
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (timeout.aborted) throw new TelegramTransportError(method, target.botId, 'timeout', `no answer within ${String(target.timeoutMs)} ms`);
    throw new TelegramTransportError(method, target.botId, 'connection', redactToken(describeFetchFailure(error), target.token));
  }
  return decodeEnvelope(method, target.botId, status, statusText, text);
}

function decodeEnvelope(method: string, botId: string, status: number, statusText: string, text: string): unknown {
  const envelope = parseJson(text);
  if (isEnvelope(envelope)) {
    if (envelope.ok) return envelope.result;
    const failure: TelegramErrorEnvelope = {
      error_code: typeof envelope.error_code === 'number' ? envelope.error_code : status,
      description: typeof envelope.description === 'string' ? envelope.description : statusText,
      ...(typeof envelope.parameters === 'object' && envelope.parameters !== null ? { parameters: envelope.parameters } : {}),
    };
    return failure.error_code === 429 ? throwError(new TelegramRateLimitError(method, botId, failure)) : throwError(new TelegramApiError(method, botId, failure));
  }
  // A proxy in front of the Bot API answers 502/504 with an HTML page.
  if (status >= 500) throw new TelegramApiError(method, botId, { error_code: status, description: statusText || 'Server Error' });
  throw new TelegramTransportError(method, botId, 'bad-response', `HTTP ${String(status)} with a body that is not a Bot API answer`);
}

interface Envelope {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error_code?: unknown;
  readonly description?: unknown;
  readonly parameters?: TelegramErrorEnvelope['parameters'] | null;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function throwError(error: Error): never {
  throw error;
}

/**
 * undici reports "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. Read by shape:
 * fetch's errors may come from another realm (jest's VM), where instanceof Error is false.
 */
function describeFetchFailure(error: unknown): string {
  const failure = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } | null } | null;
  const cause = failure?.cause;
  if (cause !== undefined && cause !== null) {
    const message = typeof cause.message === 'string' ? cause.message : 'connection failed';
    return typeof cause.code === 'string' && !message.includes(cause.code) ? `${cause.code}: ${message}` : message;
  }
  return typeof failure?.message === 'string' ? failure.message : String(error);
}
