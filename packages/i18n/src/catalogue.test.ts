import { describe, expect, it } from '@jest/globals';
import { Catalogue, catalogueProblems, duration, formatMoney, formatUtcDate, money, utcDate } from './catalogue.js';
import { CatalogueError, MessageFormatError, MissingMessageError } from './errors.js';

const SPEC = { people: ['count'], price: ['amount'], greeting: ['name'], plain: [] } as const;

const EN = `
people = { $count ->
    [one] { $count } person
   *[other] { $count } people
}
price = Pay { $amount }
greeting = Hello, { $name }!
plain = Nothing to say.
`;
const RU = `
people = { $count ->
    [one] { $count } человек
    [few] { $count } человека
   *[many] { $count } человек
}
price = Оплатите { $amount }
greeting = Привет, { $name }!
plain = Сказать нечего.
`;

describe('a catalogue', () => {
  const catalogue = new Catalogue('test', SPEC, { en: EN, ru: RU });

  it.each([
    [0, '0 человек'], [1, '1 человек'], [2, '2 человека'], [5, '5 человек'], [11, '11 человек'],
    [21, '21 человек'], [22, '22 человека'], [25, '25 человек'], [101, '101 человек'],
  ])('Russian has three plural forms: %p → %p', (count, text) => {
    expect(catalogue.format('ru', 'people', { count })).toBe(text);
  });

  it('English has two, and a bigint count formats like a number', () => {
    expect([0, 1, 2, 21].map((count) => catalogue.format('en', 'people', { count }))).toEqual(['0 people', '1 person', '2 people', '21 people']);
    expect(catalogue.format('ru', 'people', { count: 3n })).toBe('3 человека');
  });

  it('puts no Unicode isolation marks around arguments (Telegram would show and copy them)', () => {
    expect(catalogue.format('en', 'greeting', { name: '@anna' })).toBe('Hello, @anna!');
    expect(catalogue.format('ru', 'plain')).toBe('Сказать нечего.');
  });

  it('formats money and dates for the locale', () => {
    expect(catalogue.format('ru', 'price', { amount: money(29_900n, 'RUB') })).toBe('Оплатите 299,00\u00a0₽');
    expect(catalogue.format('en', 'price', { amount: money(199_050n, 'USD') })).toBe('Pay $1,990.50');
    expect(catalogue.format('en', 'price', { amount: money(900719925474099312n, 'RUB') })).toBe('Pay RUB\u00a09,007,199,254,740,993.12');
    const at = new Date('2027-01-01T09:05:00Z');
    expect(catalogue.format('ru', 'greeting', { name: utcDate(at, true) })).toBe('Привет, 1 янв. 2027 г., 09:05!');
    expect(catalogue.format('en', 'greeting', { name: utcDate(at) })).toBe('Hello, Jan 1, 2027!');
    expect(duration('ru', { minutes: 5 })).toBe('5 минут');
    expect(duration('ru', { minutes: 21 })).toBe('21 минута');
    expect(duration('en', { minutes: 1 })).toBe('1 minute');
  });

  it('fails loudly, naming the id and the locale, on a message it does not have', () => {
    const format = catalogue.format.bind(catalogue) as (locale: 'ru', id: string) => string;
    expect(() => format('ru', 'nowhere')).toThrow(MissingMessageError);
    expect(() => format('ru', 'nowhere')).toThrow('catalogue test has no message "nowhere" in locale ru');
  });

  it('fails loudly on an argument not given', () => {
    const format = catalogue.format.bind(catalogue) as (locale: 'en', id: string, args: object) => string;
    expect(() => format('en', 'greeting', {})).toThrow(MessageFormatError);
  });
});

describe('the check that every locale has the same messages and arguments', () => {
  it('passes for matching locales', () => {
    expect(catalogueProblems(SPEC, { en: EN, ru: RU })).toEqual([]);
  });

  it('names a missing message, an unused one, an argument a translation dropped, and junk FTL', () => {
    const ru = RU.replace('plain = Сказать нечего.\n', 'spare = Лишнее\nbroken = { $x\n').replace('Привет, { $name }!', 'Привет!');
    expect(catalogueProblems(SPEC, { en: EN, ru })).toEqual([
      'ru: not valid FTL at broken',
      'ru: message "greeting" reads {}, the spec says {name}',
      'ru: missing message "plain"',
      'ru: message "spare" is not in the spec (unused)',
    ]);
    expect(() => new Catalogue('test', SPEC, { en: EN, ru })).toThrow(CatalogueError);
  });
});

describe('formatting outside a message', () => {
  it('gives money and dates as text for a locale, money exact past 2^53', () => {
    expect(formatMoney('ru', 5n, 'USD')).toBe('0,05\u00a0$');
    expect(formatMoney('en', 900719925474099312n, 'RUB')).toBe('RUB\u00a09,007,199,254,740,993.12');
    expect(formatUtcDate('ru', new Date('2027-03-05T23:30:00Z'))).toBe('5 мар. 2027 г.');
    expect(formatUtcDate('en', new Date('2027-03-05T23:30:00Z'), true)).toBe('Mar 5, 2027, 23:30');
  });
});
