import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems, LOCALES, type Locale, type MessageArgument } from '@nova/i18n';
import { ADMIN_CATALOGUE } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { ADMIN_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));
type Id = keyof typeof ADMIN_SPEC;
const ids = Object.keys(ADMIN_SPEC) as Id[];
/** Each language's own name, and layouts with no words (a date and "UTC"; a migration's name, phases and an arrow). */
const SAME_IN_BOTH = new Set<Id>(['language-name-en', 'language-name-ru', 'date-utc']);
/** Arguments that are counts (the others are text the page already made: names, dates, money). */
const COUNTS = new Set(['count', 'max', 'days', 'channels', 'failed', 'length', 'over', 'seconds', 'sent', 'blocked', 'remaining', 'settled', 'recipients', 'status']);

/** The panel's code (every .ts of the domain outside this folder, tests left out): where every message id must be asked for. */
function panelSource(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && path !== here) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
    }
  };
  walk(join(here, '..'));
  return files.map((file) => readFileSync(file, 'utf8')).join('\n');
}

function format(locale: Locale, id: Id, args: Record<string, MessageArgument>): string {
  return (ADMIN_CATALOGUE.format as (locale: Locale, id: Id, args: Record<string, MessageArgument>) => string)(locale, id, args);
}

describe("the admin panel's catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(ADMIN_SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('fails the check on a message missing from a locale, on one no code asks for, and on a translation that drops an argument', () => {
    const ru = RU.replace(/^no-bots = .*$/m, 'spare = Лишнее').replace(/^link-button = .*$/m, 'link-button = Войти');
    expect(catalogueProblems(ADMIN_SPEC, { en: EN, ru })).toEqual([
      'ru: message "link-button" reads {}, the spec says {name}',
      'ru: missing message "no-bots"',
      'ru: message "spare" is not in the spec (unused)',
    ]);
  });

  it('has no id the panel never asks for (an unused message is dead text)', () => {
    const source = panelSource();
    expect(ids.filter((id) => !source.includes(`'${id}'`))).toEqual([]);
  });

  it('formats every message in both locales, Russian different from English', () => {
    for (const id of ids) {
      const args = Object.fromEntries(ADMIN_SPEC[id].map((name) => [name, COUNTS.has(name) ? 2 : `<${name}>`]));
      const [en, ru] = LOCALES.map((locale) => format(locale, id, args));
      expect({ id, en }).not.toEqual({ id, en: '' });
      if (!SAME_IN_BOTH.has(id)) expect({ id, ru }).not.toEqual({ id, ru: en });
    }
  });

  it.each([
    [0, 'найдено 0 пользователей'], [1, 'найден 1 пользователь'], [2, 'найдено 2 пользователя'], [5, 'найдено 5 пользователей'],
    [11, 'найдено 11 пользователей'], [21, 'найден 21 пользователь'], [22, 'найдено 22 пользователя'], [25, 'найдено 25 пользователей'],
    [101, 'найден 101 пользователь'],
  ])('counts users found in Russian: %p → %p', (count, words) => {
    expect(ADMIN_CATALOGUE.format('ru', 'users-found', { count, query: 'Анна' })).toBe(`По запросу «Анна» ${words}`);
  });

  it.each([
    [0, '0 платежей'], [1, '1 платёж'], [2, '2 платежа'], [5, '5 платежей'], [11, '11 платежей'],
    [21, '21 платёж'], [22, '22 платежа'], [25, '25 платежей'], [101, '101 платёж'],
  ])('counts payments in Russian: %p → %p', (count, words) => {
    expect(ADMIN_CATALOGUE.format('ru', 'payments-count', { count })).toBe(words);
  });

  it.each([
    [1, '1 день'], [2, '2 дня'], [5, '5 дней'], [11, '11 дней'], [21, '21 день'], [22, '22 дня'], [25, '25 дней'], [101, '101 день'],
  ])("counts a plan's days in Russian: %p → %p", (days, words) => {
    expect(ADMIN_CATALOGUE.format('ru', 'plan-option', { title: 'Боты', kind: 'боты', days })).toBe(`Боты (боты, ${words})`);
  });

  it('counts in English with one and other, grouping digits', () => {
    expect(ADMIN_CATALOGUE.format('en', 'users-found', { count: 1, query: 'Anna' })).toBe('1 user matching “Anna”');
    expect(ADMIN_CATALOGUE.format('en', 'users-found', { count: 0, query: 'Anna' })).toBe('0 users matching “Anna”');
    expect(ADMIN_CATALOGUE.format('en', 'payments-count', { count: 1234 })).toBe('1,234 payments');
    expect(ADMIN_CATALOGUE.format('ru', 'payments-count', { count: 1234 })).toBe('1\u00a0234 платежа');
  });

  it('picks the status page\'s title by the exact status, not a plural category', () => {
    expect([403, 404, 422, 503].map((status) => ADMIN_CATALOGUE.format('ru', 'problem-title', { status }))).toEqual(['Доступ запрещён', 'Не найдено', 'Не принято', 'Повторите попытку']);
  });
});
