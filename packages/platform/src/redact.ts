/**
 * Scrubs secrets out of any text before it reaches a log line, an error message or a span.
 * Key-based redaction alone is not enough: a bot token travels inside URLs (`/bot<token>/`,
 * the legacy `/webhook/<token>`), inside error messages of HTTP clients and in free text, so
 * this works on the text itself. Values known to be secret (loaded from the environment) are
 * scrubbed wherever they appear, whatever their shape.
 */
export const REDACTED = '[REDACTED]';

interface Rule {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const RULES: readonly Rule[] = [
  // Telegram bot tokens: <bot id>:<35 url-safe characters>; the bot id is public and useful.
  { pattern: /(?<!\d)(\d{3,15}):[A-Za-z0-9_-]{30,}/g, replace: (_m, id) => `${id}:${REDACTED}` },
  // The same token URL-encoded (':' as %3A) in a path or query.
  { pattern: /(?<!\d)(\d{3,15})%3A[A-Za-z0-9_-]{30,}/gi, replace: (_m, id) => `${id}%3A${REDACTED}` },
  // Anything in the legacy webhook path but the main bot's fixed segment.
  { pattern: /(\/webhook\/)(?!main\b)([^/\s?#"'\\]+)/g, replace: (_m, prefix) => `${prefix}${REDACTED}` },
  // user:password@ in URLs (database URLs, proxies).
  { pattern: /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"'\\]*):[^@/\s"'\\]+@/gi, replace: (_m, head) => `${head}:${REDACTED}@` },
  // Bearer / Basic credentials in header-like text.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: (_m, scheme) => `${scheme} ${REDACTED}` },
  // key=value and "key": "value" for sensitive keys (query strings, JSON, header dumps).
  {
    pattern: /((?:secret[_-]?token|api[_-]?token|api[_-]?key|apikey|access[_-]?token|password|passwd|secret|token|crypto-pay-api-token|x-telegram-bot-api-secret-token|authorization)["']?\s*[=:]\s*["']?)([^"'&\s,;}\\]+)/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
];

/** Keys whose values are never logged, whatever they hold (compared without case, `_` and `-`). */
const SENSITIVE_KEY = /(token|secret|password|passwd|apikey|authorization|cookie|encryptionkey|privatekey|databaseurl)$/;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key.toLowerCase().replace(/[_-]/g, ''));
}

/** The secret values this process knows of (from its configuration); shorter ones are ignored. */
const knownSecrets = new Set<string>();
const MIN_KNOWN_SECRET_LENGTH = 6;

/** Scrub this exact value wherever it appears from now on (config secrets, generated keys). */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_KNOWN_SECRET_LENGTH) return;
  knownSecrets.add(value);
  // A URL's password is secret on its own too (it shows up in driver errors without the URL).
  try {
    const password = decodeURIComponent(new URL(value).password);
    if (password.length >= MIN_KNOWN_SECRET_LENGTH) knownSecrets.add(password);
  } catch {
    // not a URL
  }
}

/** `text` with every secret this module recognises replaced by [REDACTED]. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, rule.replace);
  }
  return out;
}

const MAX_DEPTH = 8;

/**
 * A copy of a log field with every string scrubbed and sensitive keys replaced; errors become
 * plain objects (type, message, stack, cause) so their text is scrubbed too.
 */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) return scrubError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  if (value instanceof Uint8Array) return `[${String(value.byteLength)} bytes]`;
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) && item !== undefined && item !== null && item !== '' ? REDACTED : scrubValue(item, depth + 1, seen);
  }
  return out;
}

function scrubError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubSecrets(error.message),
  };
  if (error.stack !== undefined) out.stack = scrubSecrets(error.stack);
  for (const [key, item] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    out[key] = isSensitiveKey(key) ? REDACTED : scrubValue(item, depth + 1, seen);
  }
  if (error.cause !== undefined) out.cause = scrubValue(error.cause, depth + 1, seen);
  return out;
}
