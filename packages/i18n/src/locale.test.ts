import { describe, expect, it } from '@jest/globals';
import { chooseLocale, localeFromTelegram, parseLocale } from './locale.js';

describe('the locale from Telegram', () => {
  it.each([
    ['ru', 'ru'], ['uk', 'ru'], ['be', 'ru'], ['kk', 'ru'], ['ru-RU', 'ru'], ['UK', 'ru'],
    ['en', 'en'], ['en-US', 'en'], ['de', 'en'], ['kz', 'en'], ['', 'en'], [undefined, 'en'],
  ] as const)('language_code %p reads as %p', (code, locale) => {
    expect(localeFromTelegram(code)).toBe(locale);
  });

  it('a person\'s own choice wins over Telegram\'s language_code; an empty or unknown choice does not count', () => {
    expect(chooseLocale('en', 'ru')).toBe('en');
    expect(chooseLocale('ru', 'en')).toBe('ru');
    expect(chooseLocale('', 'uk')).toBe('ru');
    expect(chooseLocale('fr', 'en')).toBe('en');
    expect(parseLocale('ru')).toBe('ru');
    expect(parseLocale('RU ')).toBeUndefined();
  });
});
