/**
 * Money as the payments context holds it: integer minor units (bigint) of an ISO 4217 currency,
 * never a float. Providers speak decimal text ("299.00"); these convert exactly both ways and
 * refuse what is not an exact amount in the currency's minor unit.
 */
import { InvalidArgumentError } from '@nova/domain';

/** Digits after the decimal point, per currency the plans may be priced in. */
const MINOR_DIGITS: Readonly<Record<string, number>> = { RUB: 2, USD: 2, EUR: 2 };

export interface Money {
  readonly minorUnits: bigint;
  readonly currency: string;
}

/** A provider's amount that cannot be read exactly in its currency. */
export class AmountFormatError extends InvalidArgumentError {
  override readonly name = 'AmountFormatError';
}

export function isSupportedCurrency(currency: string): boolean {
  return Object.hasOwn(MINOR_DIGITS, currency);
}

function digitsOf(currency: string): number {
  const digits = MINOR_DIGITS[currency];
  if (digits === undefined) throw new AmountFormatError(`currency ${currency} is not supported`, { currency });
  return digits;
}

/** "299.00" → 29900n for RUB. More decimals than the currency has, signs, exponents and blanks are refused. */
export function parseDecimalAmount(text: string, currency: string): bigint {
  const digits = digitsOf(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (match?.[1] === undefined) throw new AmountFormatError('amount must be a non-negative decimal number', { currency });
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) throw new AmountFormatError(`amount has more than ${String(digits)} decimals for ${currency}`, { currency });
  return BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
}

/** 29900n RUB → "299.00": what the providers are sent. */
export function formatDecimalAmount(minorUnits: bigint, currency: string): string {
  if (minorUnits < 0n) throw new RangeError('amounts are never negative here');
  const digits = digitsOf(currency);
  if (digits === 0) return minorUnits.toString();
  const text = minorUnits.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minorUnits === b.minorUnits;
}
