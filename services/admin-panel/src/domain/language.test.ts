import { describe, expect, it } from '@jest/globals';
import { languageCookie, languageRanges, languageReturn, languageSwitchHref, localeFromAcceptLanguage, localeOfRequest } from './language.js';

describe('the language of a browser (Accept-Language)', () => {
  it.each([
    ['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', 'ru'],
    ['en-US,en;q=0.9,ru;q=0.8', 'en'],
    ['uk', 'ru'], ['be-BY', 'ru'], ['kk-KZ,kk;q=0.9', 'ru'],
    ['fr-FR,fr;q=0.9', 'en'],
    // The first language Nova speaks decides: a German speaker who also reads Russian gets Russian.
    ['de-DE,de;q=0.9,ru;q=0.8,en;q=0.7', 'ru'],
    // Order is by q-value, not by place in the header.
    ['en;q=0.5, ru;q=0.8', 'ru'],
    ['ru;q=0.5, en', 'en'],
    // q=0 is "not this one".
    ['ru;q=0, en;q=0.1', 'en'],
    ['en;q=0, uk', 'ru'],
    // "*" is any language: English, Nova's fallback.
    ['*', 'en'], ['*, ru;q=0.5', 'en'],
    // Malformed ranges are left out, as if not sent.
    ['ru;q=2, en;q=0.5', 'en'], ['ru;q=abc, en', 'en'], ['r u, ru', 'ru'], ['', 'en'], [',,;', 'en'],
    ['RU', 'ru'], ['ru ; q = 0.9', 'ru'],
  ])('%p → %p', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });

  it('is English without a header, and with one too long to be a person\'s setting', () => {
    expect(localeFromAcceptLanguage(undefined)).toBe('en');
    expect(localeFromAcceptLanguage(`ru,${'x-y;q=0.1,'.repeat(200)}`)).toBe('en');
  });

  it('keeps the header\'s order among equal q-values', () => {
    expect(languageRanges('fr, ru, en;q=1.0, de;q=0.5').map((range) => range.tag)).toEqual(['fr', 'ru', 'en', 'de']);
  });
});

describe('the language of a request', () => {
  it('is the switch\'s cookie when it names a language Nova speaks, else the browser\'s', () => {
    expect(localeOfRequest({ 'accept-language': 'ru', cookie: 'nova_admin_session=x; nova_admin_lang=en' })).toBe('en');
    expect(localeOfRequest({ 'accept-language': 'en', cookie: 'nova_admin_lang=ru' })).toBe('ru');
    expect(localeOfRequest({ 'accept-language': 'ru', cookie: 'nova_admin_lang=de' })).toBe('ru');
    expect(localeOfRequest({ 'accept-language': 'uk-UA' })).toBe('ru');
    expect(localeOfRequest({})).toBe('en');
  });
});

describe('the language switch', () => {
  it('links to the other language and back to the page it is on', () => {
    expect(languageSwitchHref('ru', '/admin/users?q=anna&x=1')).toBe('/admin/language?to=ru&next=%2Fadmin%2Fusers%3Fq%3Danna%26x%3D1');
  });

  it('returns only to a page of the panel (sign-in included), never elsewhere, to itself or to Telegram\'s login redirect', () => {
    expect(languageReturn('/admin/sign-in?next=%2Fadmin%2Fusers')).toBe('/admin/sign-in?next=%2Fadmin%2Fusers');
    expect(languageReturn('/admin/auth/link?t=abc')).toBe('/admin/auth/link?t=abc');
    for (const next of ['https://evil.example/', '//evil.example/admin/', '/admin\\..\\x', '/elsewhere', '/admin/language?to=ru', '/admin/auth/telegram?id=1', null, undefined, '/admin/ x']) {
      expect(languageReturn(next)).toBe('/admin/');
    }
  });

  it('sets a year-long cookie for the panel only, same-site, unread by scripts, Secure when asked', () => {
    expect(languageCookie('ru', { secure: true }).split('; ')).toEqual(['nova_admin_lang=ru', 'Path=/admin/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=31536000', 'Secure']);
    expect(languageCookie('en', { secure: false })).not.toContain('Secure');
  });
});
