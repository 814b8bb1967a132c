import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueProblems } from '@nova/i18n';
import { DEFAULT_GREETING } from '../../greeting.js';
import { builtInGreeting, greetingForOwner, isBuiltInGreeting } from '../texts.js';
import { EN } from './en.js';
import { RU } from './ru.js';
import { CHILD_BOT_SPEC } from './spec.js';

const here = dirname(fileURLToPath(import.meta.url));

describe("the child bots' catalogue", () => {
  it('has the same message ids, each with the same arguments, in English and Russian', () => {
    expect(catalogueProblems(CHILD_BOT_SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('fails the check on a message missing from a locale, and on one no code asks for', () => {
    const ru = RU.replace('built-in-greeting =', 'spare =');
    expect(catalogueProblems(CHILD_BOT_SPEC, { en: EN, ru })).toEqual(['ru: missing message "built-in-greeting"', 'ru: message "spare" is not in the spec (unused)']);
  });

  it('has no id the child bot never asks for', () => {
    const source = readFileSync(join(here, '..', 'texts.ts'), 'utf8');
    expect(Object.keys(CHILD_BOT_SPEC).filter((id) => !source.includes(`'${id}'`))).toEqual([]);
  });

  it('stores the English built-in greeting as every bot row always had it, so old bots are recognised too', () => {
    expect(builtInGreeting('en')).toBe(DEFAULT_GREETING);
    expect(builtInGreeting('ru')).toBe('Здравствуйте, {name}! 👋');
    expect(isBuiltInGreeting(DEFAULT_GREETING)).toBe(true);
    expect(isBuiltInGreeting('Здравствуйте, {name}! 👋')).toBe(false);
  });

  it("shows an owner the built-in greeting in the owner's language, their own as typed", () => {
    expect(greetingForOwner(DEFAULT_GREETING, 'ru')).toBe('Здравствуйте, {name}! 👋');
    expect(greetingForOwner('Hi {name}', 'ru')).toBe('Hi {name}');
  });
});
