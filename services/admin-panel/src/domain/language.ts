/**
 * Which language a request's pages are in: the admin's own choice (the language switch on every
 * page sets a cookie), else the browser's Accept-Language, else English. Both sides of the
 * stage-8 canary run this same code on the same request, so a page is the same on both.
 */
import { localeFromTelegram, parseLocale, type Locale } from '@nova/i18n';
import { BASE } from './base.js';
import { cookieValue, type CookieOptions } from './session.js';

export const LANGUAGE_COOKIE = 'nova_admin_lang';
/** Where the switch's links go: GET /admin/language?to=ru&next=<the page>. */
export const LANGUAGE_PATH = `${BASE}language`;
/** A browser sends a few languages; more than this many, or a longer header, is not a person's setting. */
const MAX_HEADER = 1024;
const MAX_RANGES = 32;
const RANGE = /^(\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/i;
const QVALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

interface LanguageRange {
  readonly tag: string;
  readonly q: number;
}

/**
 * The ranges of an Accept-Language header (RFC 9110 §12.5.4) in the browser's order of
 * preference: by q-value, highest first, the header's order among equals. A range with a
 * malformed tag or q-value is left out (as if not sent); q=0 means "not this one".
 */
export function languageRanges(header: string | undefined): LanguageRange[] {
  if (header === undefined || header.length > MAX_HEADER) return [];
  const ranges: LanguageRange[] = [];
  for (const part of header.split(',').slice(0, MAX_RANGES)) {
    const [tag = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    if (!RANGE.test(tag)) continue;
    let q = 1;
    let malformed = false;
    for (const parameter of parameters) {
      const match = QVALUE.exec(parameter.replace(/\s+/g, ''));
      if (match?.[1] !== undefined) q = Number(match[1]);
      else if (/^q\s*=/i.test(parameter)) malformed = true;
    }
    if (!malformed && q > 0) ranges.push({ tag: tag.toLowerCase(), q });
  }
  // Array.prototype.sort is stable: equal q-values keep the header's order.
  return ranges.sort((a, b) => b.q - a.q);
}

/**
 * The first of the browser's languages that Nova speaks: en → English; ru, uk, be, kk → Russian
 * (as for Telegram's language_code); "*" → English. None of them (fr, de): English.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  for (const { tag } of languageRanges(header)) {
    if (tag === '*') return 'en';
    const primary = tag.split('-')[0] ?? '';
    if (primary === 'en') return 'en';
    if (localeFromTelegram(primary) === 'ru') return 'ru';
  }
  return 'en';
}

function headerText(value: string | readonly string[] | undefined, separator: string): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value.join(separator);
}

/** The locale of a request's pages: the switch's cookie when it names a locale, else Accept-Language. */
export function localeOfRequest(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Locale {
  return parseLocale(cookieValue(headerText(headers.cookie, '; '), LANGUAGE_COOKIE)) ?? localeFromAcceptLanguage(headerText(headers['accept-language'], ', '));
}

/**
 * The switch's cookie: a year, the panel's path only, not sent on cross-site requests, unread by
 * scripts (none needs it). It holds a preference, not a secret: forging it changes only how the
 * forger's own pages read.
 */
export function languageCookie(locale: Locale, options: CookieOptions): string {
  return [`${LANGUAGE_COOKIE}=${locale}`, 'Path=/admin/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${String(365 * 86_400)}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/**
 * A page of this panel to come back to after switching: the sign-in pages included (the switch is
 * offered before signing in), but never the switch itself or Telegram's login redirect (its data
 * would be checked again). Anything else (another site, //host, a scheme) becomes the home page.
 */
export function languageReturn(next: string | null | undefined): string {
  if (typeof next !== 'string' || !next.startsWith(BASE) || next.startsWith('//') || /[\\\s]/.test(next) || next.length > 2048) return BASE;
  if (next.startsWith(LANGUAGE_PATH) || next.startsWith(`${BASE}auth/telegram`)) return BASE;
  return next;
}

/** The switch's link to `locale`, returning to `here`. */
export function languageSwitchHref(locale: Locale, here: string): string {
  return `${LANGUAGE_PATH}?to=${locale}&next=${encodeURIComponent(languageReturn(here))}`;
}
