import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems, LOCALES, type MessageArgument } from '@nova/i18n';
import { PUBLISHER_CATALOGUE } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { PUBLISHER_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));
type Id = keyof typeof PUBLISHER_SPEC;
/** A channel's line is a mark and Telegram's own words: the same in both. */
const SAME_IN_BOTH = new Set<Id>(['report-sent-line', 'report-failed-line']);

function format(locale: 'en' | 'ru', id: Id, args: Record<string, MessageArgument>): string {
  return (PUBLISHER_CATALOGUE.format as (locale: 'en' | 'ru', id: Id, args: Record<string, MessageArgument>) => string)(locale, id, args);
}

describe("the publisher context's catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(PUBLISHER_SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('fails the check on a message missing from a locale, and on one no code asks for', () => {
    const ru = RU.replace(/^report-not-sent = .*$/m, 'spare = Лишнее');
    expect(catalogueProblems(PUBLISHER_SPEC, { en: EN, ru })).toEqual(['ru: missing message "report-not-sent"', 'ru: message "spare" is not in the spec (unused)']);
  });

  it('has no id the context never asks for (an unused message is dead text)', () => {
    const source = readFileSync(join(here, '..', 'report.ts'), 'utf8');
    expect(Object.keys(PUBLISHER_SPEC).filter((id) => !source.includes(`'${id}'`))).toEqual([]);
  });

  it('formats every message in both locales, without isolation marks, Russian different from English', () => {
    for (const id of Object.keys(PUBLISHER_SPEC) as Id[]) {
      const args = Object.fromEntries(PUBLISHER_SPEC[id].map((name) => [name, name === 'sent' || name === 'total' || name === 'failed' ? 2 : `<${name}>`]));
      const [en, ru] = LOCALES.map((locale) => format(locale, id, args));
      expect(`${en ?? ''}${ru ?? ''}`).not.toMatch(/[\u2068\u2069]/);
      if (!SAME_IN_BOTH.has(id)) expect({ id, ru }).not.toEqual({ id, ru: en });
    }
  });

  it.each([
    [0, '0 каналов'], [1, '1 канала'], [2, '2 каналов'], [5, '5 каналов'], [11, '11 каналов'],
    [21, '21 канала'], [22, '22 каналов'], [25, '25 каналов'], [101, '101 канала'],
  ])('counts channels in Russian after «из» (genitive): %p → %p', (total, words) => {
    expect(PUBLISHER_CATALOGUE.format('ru', 'report-head', { number: '7', sent: 0, total })).toBe(`Пост #7 опубликован в 0 из ${words}.`);
  });

  it('formats counts for the locale (digit grouping)', () => {
    expect(PUBLISHER_CATALOGUE.format('en', 'report-head', { number: '7', sent: 12_345, total: 12_345 })).toBe('Post #7 published in 12,345 of 12,345 channels.');
    expect(PUBLISHER_CATALOGUE.format('ru', 'report-head', { number: '7', sent: 12_345, total: 12_345 })).toBe('Пост #7 опубликован в 12\u00a0345 из 12\u00a0345 каналов.');
  });
});
