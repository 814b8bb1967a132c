import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@nova/domain';
import { DEFAULT_GREETING, MAX_MESSAGE_LENGTH, renderGreeting, validGreeting } from './greeting.js';

describe('greetings', () => {
  it('fills in every {name} with the first name of the person greeted', () => {
    expect(renderGreeting(DEFAULT_GREETING, 'Анна')).toBe('Hello, Анна! 👋');
    expect(renderGreeting('{name}, {name}!', 'Bo')).toBe('Bo, Bo!');
    expect(renderGreeting('No placeholder', 'Bo')).toBe('No placeholder');
  });

  it('cuts a rendered greeting to Telegram\'s 4096 without splitting a character', () => {
    // The cut at 4096 falls between the two halves of the third emoji: it goes entirely.
    const greeting = `${'a'.repeat(MAX_MESSAGE_LENGTH - 6)}{name}`;
    const rendered = renderGreeting(greeting, 'x😀😀😀');
    expect(rendered.length).toBe(MAX_MESSAGE_LENGTH - 1);
    expect(rendered.endsWith('x😀😀')).toBe(true);
    expect(renderGreeting(`${'a'.repeat(MAX_MESSAGE_LENGTH - 7)}{name}`, 'x😀😀😀')).toHaveLength(MAX_MESSAGE_LENGTH);
  });

  it('accepts 1 to 4096 characters of more than blanks', () => {
    expect(validGreeting('Hi!')).toBe('Hi!');
    expect(validGreeting('x'.repeat(MAX_MESSAGE_LENGTH))).toHaveLength(MAX_MESSAGE_LENGTH);
    for (const bad of ['', '   \n ', 'x'.repeat(MAX_MESSAGE_LENGTH + 1), 'a\u0000b']) {
      expect(() => validGreeting(bad)).toThrow(InvalidArgumentError);
    }
  });
});
