import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems } from '@nova/i18n';
import { planName } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { PAYMENT_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The launch plans as the seed migration stores them. */
const LAUNCH = [
  { kind: 'bots', periodDays: 30, title: 'More bots, 30 days' },
  { kind: 'stories', periodDays: 30, title: 'Stories, 30 days' },
  { kind: 'posting', periodDays: 30, title: 'Channel posting, 30 days' },
];

describe("the payments context's catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(PAYMENT_SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('fails the check on a message missing from a locale, and on one no code asks for', () => {
    expect(catalogueProblems(PAYMENT_SPEC, { en: EN, ru: RU.replace('plan-name =', 'spare =') })).toEqual(['ru: missing message "plan-name"', 'ru: message "spare" is not in the spec (unused)']);
  });

  it('has no id the context never asks for', () => {
    const source = readFileSync(join(here, '..', 'texts.ts'), 'utf8');
    expect(Object.keys(PAYMENT_SPEC).filter((id) => !source.includes(`'${id}'`))).toEqual([]);
  });

  it("names a plan in the buyer's language; in English as the launch plans are stored; the stored title without a language it speaks", () => {
    expect(LAUNCH.map((plan) => planName(plan, 'en'))).toEqual(LAUNCH.map((plan) => plan.title));
    expect(LAUNCH.map((plan) => planName(plan, 'ru'))).toEqual(['Больше ботов, 30 дней', 'Истории, 30 дней', 'Публикации в каналах, 30 дней']);
    expect(planName(LAUNCH[0] ?? { kind: '', periodDays: 0, title: '' }, '')).toBe('More bots, 30 days');
    expect(planName({ kind: 'gift', periodDays: 30, title: 'Gift' }, 'ru')).toBe('Gift');
  });

  it.each([
    [1, '1 день'], [2, '2 дня'], [5, '5 дней'], [11, '11 дней'], [21, '21 день'], [22, '22 дня'], [25, '25 дней'], [101, '101 день'],
  ])('counts days in Russian: %p → %p', (periodDays, words) => {
    expect(planName({ kind: 'stories', periodDays, title: 'x' }, 'ru')).toBe(`Истории, ${words}`);
  });
});
