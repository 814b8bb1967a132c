import { describe, expect, it } from '@jest/globals';
import { AmountFormatError, formatDecimalAmount, parseDecimalAmount, sameMoney } from './money.js';

describe('money in minor units', () => {
  it('reads decimal amounts exactly, trailing zeros or not', () => {
    expect(parseDecimalAmount('299.00', 'RUB')).toBe(29900n);
    expect(parseDecimalAmount('299', 'RUB')).toBe(29900n);
    expect(parseDecimalAmount('0.1', 'USD')).toBe(10n);
    expect(parseDecimalAmount('19.990', 'EUR')).toBe(1999n);
    // A float would say 0.1 + 0.2 = 0.30000000000000004; minor units add exactly.
    expect(parseDecimalAmount('0.1', 'RUB') + parseDecimalAmount('0.2', 'RUB')).toBe(parseDecimalAmount('0.3', 'RUB'));
    expect(parseDecimalAmount('123456789012345.67', 'RUB')).toBe(12345678901234567n);
  });

  it('refuses what is not an exact amount of the currency', () => {
    for (const bad of ['', '-1', '+1', '1e3', '1.005', ' 1', '1,00', '.5', '1.', 'NaN', 'Infinity', '0x10']) {
      expect(() => parseDecimalAmount(bad, 'RUB')).toThrow(AmountFormatError);
    }
    expect(() => parseDecimalAmount('1.00', 'XYZ')).toThrow(/not supported/);
  });

  it('writes minor units as the decimal text providers expect, and round-trips', () => {
    expect(formatDecimalAmount(29900n, 'RUB')).toBe('299.00');
    expect(formatDecimalAmount(5n, 'USD')).toBe('0.05');
    expect(formatDecimalAmount(0n, 'USD')).toBe('0.00');
    for (const minor of [1n, 99n, 100n, 101n, 29900n, 12345678901234567n]) {
      expect(parseDecimalAmount(formatDecimalAmount(minor, 'RUB'), 'RUB')).toBe(minor);
    }
  });

  it('compares amount and currency both', () => {
    expect(sameMoney({ minorUnits: 100n, currency: 'RUB' }, { minorUnits: 100n, currency: 'RUB' })).toBe(true);
    expect(sameMoney({ minorUnits: 100n, currency: 'RUB' }, { minorUnits: 100n, currency: 'USD' })).toBe(false);
    expect(sameMoney({ minorUnits: 100n, currency: 'RUB' }, { minorUnits: 101n, currency: 'RUB' })).toBe(false);
  });
});
