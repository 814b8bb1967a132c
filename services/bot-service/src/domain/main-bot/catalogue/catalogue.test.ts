import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems, LOCALES, type MessageArgument } from '@nova/i18n';
import { MAIN_BOT_CATALOGUE } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { MAIN_BOT_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));
type Id = keyof typeof MAIN_BOT_SPEC;
const ids = Object.keys(MAIN_BOT_SPEC) as Id[];
/** Each language's own name, and layouts with no words (a price and its commands; a payment's date, price, provider). */
const SAME_IN_BOTH = new Set<Id>(['language-name-en', 'language-name-ru', 'offer-line', 'invoice-line']);

/** The main bot's code (not this folder): where every message id must be asked for. */
function mainBotSource(): string {
  const files = [
    ...readdirSync(join(here, '..')).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).map((name) => join(here, '..', name)),
    join(here, '..', '..', 'process', 'payment-notices.ts'),
  ];
  return files.map((file) => readFileSync(file, 'utf8')).join('\n');
}

function format(locale: 'en' | 'ru', id: Id, args: Record<string, MessageArgument>): string {
  return (MAIN_BOT_CATALOGUE.format as (locale: 'en' | 'ru', id: Id, args: Record<string, MessageArgument>) => string)(locale, id, args);
}

describe("the main bot's catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(MAIN_BOT_SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('fails the check on a message missing from a locale, and on one no code asks for', () => {
    const ru = RU.replace(/^taken = .*$/m, 'spare = Лишнее');
    expect(catalogueProblems(MAIN_BOT_SPEC, { en: EN, ru })).toEqual(['ru: missing message "taken"', 'ru: message "spare" is not in the spec (unused)']);
  });

  it('has no id the main bot never asks for (an unused message is dead text)', () => {
    const source = mainBotSource();
    const unused = ids.filter((id) => !source.includes(`'${id}'`));
    expect(unused).toEqual([]);
  });

  it('formats every message in both locales, without isolation marks, Russian different from English', () => {
    for (const id of ids) {
      const args = Object.fromEntries(MAIN_BOT_SPEC[id].map((name) => [name, name === 'count' || name === 'limit' || name === 'minutes' || name === 'channels' || name === 'sent' || name === 'hours' ? 2 : `<${name}>`]));
      const [en, ru] = LOCALES.map((locale) => format(locale, id, args));
      expect(en).not.toMatch(/[\u2068\u2069]/);
      expect(ru).not.toMatch(/[\u2068\u2069]/);
      if (!SAME_IN_BOTH.has(id)) expect({ id, ru }).not.toEqual({ id, ru: en });
    }
  });

  it.each([
    [0, '0 человек'], [1, '1 человек'], [2, '2 человека'], [5, '5 человек'], [11, '11 человек'],
    [21, '21 человек'], [22, '22 человека'], [25, '25 человек'], [101, '101 человек'],
  ])("counts a bot's audience in Russian: %p → %p", (count, words) => {
    expect(MAIN_BOT_CATALOGUE.format('ru', 'bots-line', { username: 'shop_bot', count })).toBe(`• @shop_bot: ${words}`);
  });

  it.each([
    [1, '1 канал'], [2, '2 канала'], [5, '5 каналов'], [21, '21 канал'], [22, '22 канала'], [25, '25 каналов'], [101, '101 канал'],
  ])('counts channels in Russian: %p → %p', (channels, words) => {
    expect(MAIN_BOT_CATALOGUE.format('ru', 'scheduled', { number: '7', at: '1 янв. 2027 г., 09:00', channels })).toContain(`в ${words}.`);
  });

  it.each([
    [1, '1 минуту'], [2, '2 минуты'], [5, '5 минут'], [11, '11 минут'], [21, '21 минуту'], [22, '22 минуты'], [25, '25 минут'],
  ])('counts minutes in Russian: %p → %p', (minutes, words) => {
    expect(MAIN_BOT_CATALOGUE.format('ru', 'admin-link', { url: 'https://x', minutes })).toContain(`действует ${words};`);
  });

  it('keeps blank lines and the emoji in multi-line messages', () => {
    expect(MAIN_BOT_CATALOGUE.format('en', 'greeting-saved', { username: 'shop_bot', greeting: 'Hi!' })).toBe('✏️ @shop_bot now answers:\n\nHi!');
    expect(MAIN_BOT_CATALOGUE.format('ru', 'greeting-saved', { username: 'shop_bot', greeting: 'Привет!' })).toBe('✏️ Теперь @shop_bot отвечает так:\n\nПривет!');
  });
});
