import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems } from '@nova/i18n';
import { NOTIFICATION_CATALOGUE, subscriptionEndingText } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { NOTIFICATION_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));
const ENDS = new Date('2027-01-05T09:30:00Z');

describe("the notification context's catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(NOTIFICATION_SPEC, { en: EN, ru: RU })).toEqual([]);
    expect(NOTIFICATION_CATALOGUE.name).toBe('notification');
  });

  it('fails the check on a message missing from a locale, and on one no code asks for', () => {
    const ru = RU.replace('subscription-ending =', 'spare =');
    expect(catalogueProblems(NOTIFICATION_SPEC, { en: EN, ru })).toEqual(['ru: missing message "subscription-ending"', 'ru: message "spare" is not in the spec (unused)']);
  });

  it('has no id the context never asks for (an unused message is dead text)', () => {
    const source = readFileSync(join(here, '..', 'texts.ts'), 'utf8');
    expect(Object.keys(NOTIFICATION_SPEC).filter((id) => !source.includes(`'${id}'`))).toEqual([]);
  });

  it('words a reminder in each language, the date by Intl for the locale, keeping the emoji and the command', () => {
    expect(subscriptionEndingText('en', 'posting', 3, ENDS)).toBe('⏳ Your posting subscription ends in 3 days (Jan 5, 2027, 09:30 UTC). Send /subscribe to renew it.');
    expect(subscriptionEndingText('ru', 'posting', 3, ENDS)).toBe('⏳ Подписка «публикации» закончится через 3 дня (5 янв. 2027 г., 09:30 UTC). Чтобы продлить её, отправьте /subscribe.');
    expect(subscriptionEndingText('en', 'bots', 1, ENDS)).toBe('⏳ Your bots subscription ends tomorrow (Jan 5, 2027, 09:30 UTC). Send /subscribe to renew it.');
    expect(subscriptionEndingText('ru', 'stories', 1, ENDS)).toBe('⏳ Подписка «истории» закончится завтра (5 янв. 2027 г., 09:30 UTC). Чтобы продлить её, отправьте /subscribe.');
    expect(subscriptionEndingText('ru', 'unknown', 3, ENDS)).toContain('⏳ Ваша подписка закончится через 3 дня');
    expect(subscriptionEndingText('en', 'unknown', 3, ENDS)).toContain('⏳ Your subscription ends in 3 days');
  });

  it.each([
    [0, 'через 0 дней'], [1, 'завтра'], [2, 'через 2 дня'], [5, 'через 5 дней'], [11, 'через 11 дней'],
    [21, 'через 21 день'], [22, 'через 22 дня'], [25, 'через 25 дней'], [101, 'через 101 день'],
  ])('counts days in Russian: %p → %p', (days, words) => {
    expect(subscriptionEndingText('ru', 'bots', days, ENDS)).toContain(`закончится ${words} (`);
  });

  it.each([
    [0, 'in 0 days'], [1, 'tomorrow'], [2, 'in 2 days'], [21, 'in 21 days'], [101, 'in 101 days'],
  ])('counts days in English: %p → %p', (days, words) => {
    expect(subscriptionEndingText('en', 'bots', days, ENDS)).toContain(`ends ${words} (`);
  });
});
