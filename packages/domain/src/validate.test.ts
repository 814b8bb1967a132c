import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from './errors.js';
import { effectKey, telegramChatId, telegramId, text } from './validate.js';

function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a throw, got none');
}

describe('input checks', () => {
  it('accepts Telegram ids in range and refuses zero, negatives and oversized values', () => {
    expect(telegramId(7_000_000_001n, 'telegram_id')).toBe(7_000_000_001n);
    for (const bad of [0n, -5n, 2n ** 52n]) {
      expect(() => telegramId(bad, 'telegram_id')).toThrow(InvalidArgumentError);
    }
    expect(telegramChatId(-1001234567890n, 'chat_id')).toBe(-1001234567890n);
    expect(() => telegramChatId(0n, 'chat_id')).toThrow(/chat_id must be a Telegram chat id/);
  });

  it('checks text length in UTF-16 units, NUL, patterns and presence, naming the field', () => {
    expect(text('', 'last_name', { max: 5 })).toBeUndefined();
    expect(() => text('', 'first_name', { max: 5, required: true })).toThrow(/first_name is required/);
    expect(text('Анна😀', 'first_name', { max: 6 })).toBe('Анна😀');
    expect(() => text('Анна😀', 'first_name', { max: 5 })).toThrow(/at most 5 characters/);
    expect(() => text('abcdef', 'first_name', { max: 5 })).toThrow(/at most 5 characters/);
    expect(() => text('a\u0000b', 'first_name', { max: 5 })).toThrow(/NUL/);
    expect(() => text('a b', 'username', { max: 5, pattern: /^\w+$/, patternHint: 'letters' })).toThrow(/username must be letters/);
    const error = thrownBy(() => text('123456:secret-value', 'username', { max: 5 }));
    expect(error).toMatchObject({ details: { field: 'username' } });
    expect(error.message).not.toContain('secret-value');
  });

  it('takes effect keys without whitespace, empty meaning none', () => {
    expect(effectKey('')).toBeUndefined();
    expect(effectKey('123:456')).toBe('123:456');
    expect(() => effectKey('a b')).toThrow(InvalidArgumentError);
    expect(() => effectKey('x'.repeat(257))).toThrow(/at most 256/);
  });
});
