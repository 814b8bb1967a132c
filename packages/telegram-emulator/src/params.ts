/**
 * Reads a method's parameters the ways the Bot API accepts them (query string, JSON,
 * x-www-form-urlencoded, multipart/form-data), and the typed getters handlers use. In form bodies
 * every value is a string and objects such as reply_markup are JSON strings; the getters accept
 * both forms, as Telegram does.
 */
import { badRequest } from './api-failure.js';

export type Params = Readonly<Record<string, unknown>>;

export async function readParams(contentType: string | undefined, body: Buffer, query: URLSearchParams): Promise<Params> {
  const params: Record<string, unknown> = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return params;
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest("can't parse JSON object");
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  if (type === 'application/x-www-form-urlencoded') return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  if (type === 'multipart/form-data') {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- a test double parsing loopback requests; undici's parser is enough here
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType ?? '' } }).formData();
    for (const [key, value] of form) params[key] = typeof value === 'string' ? value : { upload: value.name, size: value.size };
    return params;
  }
  return params;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest(`field "${name}" must be of type String`);
}

export function optionalBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 1) return true;
  if (value === 'false' || value === '0' || value === 0 || value === '') return false;
  throw badRequest(`field "${name}" must be of type Boolean`);
}

export function optionalInteger(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
  throw badRequest(`field "${name}" must be of type Integer`);
}

/** A JSON-serialized object field (reply_markup, allowed_updates): an object in JSON bodies, a string in forms. */
export function optionalJson(params: Params, name: string): unknown {
  const value = params[name];
  if (typeof value !== 'string') return value ?? undefined;
  if (value === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

/** chat_id: an integer, or an @username string. */
export function requiredChatId(params: Params): number | string {
  const value = params['chat_id'];
  if (value === undefined || value === null || value === '') throw badRequest('chat_id is empty');
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string') {
    if (/^-?\d+$/u.test(value)) return Number(value);
    if (value.startsWith('@')) return value;
  }
  throw badRequest('chat not found');
}
