/**
 * A child bot's built-in greeting in the language of the person it greets (catalogue/en.ts,
 * catalogue/ru.ts, checked against catalogue/spec.ts when this module loads). A new bot's row
 * stores DEFAULT_GREETING, the English text with the {name} placeholder, as it always has; a
 * greeting that is exactly that text is the built-in one and is worded per person, so bots made
 * before the catalogue existed speak both languages too. An owner's own greeting is sent as typed.
 */
import { Catalogue, type Locale } from '@nova/i18n';
import { DEFAULT_GREETING, NAME_PLACEHOLDER } from '../greeting.js';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { CHILD_BOT_SPEC } from './catalogue/spec.js';

export const CHILD_BOT_CATALOGUE = new Catalogue('child-bot', CHILD_BOT_SPEC, { en: EN, ru: RU });

/** The built-in greeting in a locale, the {name} placeholder kept (as an owner sees it, and as it is stored). */
export function builtInGreeting(locale: Locale): string {
  return CHILD_BOT_CATALOGUE.format(locale, 'built-in-greeting', { name: NAME_PLACEHOLDER });
}

/** True for a bot that still has the greeting it was made with (its owner never set one). */
export function isBuiltInGreeting(greeting: string): boolean {
  return greeting === DEFAULT_GREETING;
}

/** The greeting as its owner should read it: the built-in one in the owner's language, else their own as typed. */
export function greetingForOwner(greeting: string, ownerLocale: Locale): string {
  return isBuiltInGreeting(greeting) ? builtInGreeting(ownerLocale) : greeting;
}
