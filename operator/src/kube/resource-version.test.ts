import { describe, expect, it } from '@jest/globals';
import { compareResourceVersions, isAtLeast } from './resource-version.js';

describe('resourceVersion order (KEP-5504)', () => {
  it('orders decimal versions by value, beyond what a double holds exactly', () => {
    expect(compareResourceVersions('9', '10')).toBe(-1);
    expect(compareResourceVersions('10', '9')).toBe(1);
    expect(compareResourceVersions('42', '42')).toBe(0);
    expect(compareResourceVersions('90071992547409930', '90071992547409931')).toBe(-1);
  });

  it('refuses to order what is not a positive integer without leading zeros, and falls back to equality', () => {
    expect(compareResourceVersions('0', '1')).toBeUndefined();
    expect(compareResourceVersions('012', '12')).toBeUndefined();
    expect(compareResourceVersions('abc', '12')).toBeUndefined();
    expect(compareResourceVersions('', '12')).toBeUndefined();
    expect(isAtLeast('abc', 'abc')).toBe(true);
    expect(isAtLeast('abd', 'abc')).toBe(false);
    expect(isAtLeast('13', '12')).toBe(true);
    expect(isAtLeast('11', '12')).toBe(false);
  });
});
