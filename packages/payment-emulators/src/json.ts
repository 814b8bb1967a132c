/**
 * JSON with exact decimals. Both providers put amounts in JSON (CryptoBot as strings, Platega as
 * numbers); money must never pass through a float, so numbers are read as their source text
 * (JSON.parse's reviver `context.source`, Node >= 21) and written from decimal text.
 */

/** Parsed JSON where every number is the exact text it was written as. */
export function parseJsonExact(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' && context?.source !== undefined ? context.source : value;
  return JSON.parse(text, reviver);
}

const DECIMAL_MARK = '\u2063decimal:';

/** A decimal text (e.g. "199.00") that `stringifyExact` writes as a bare JSON number. */
export function jsonNumber(decimal: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(decimal)) throw new RangeError(`not a decimal number: ${decimal}`);
  return `${DECIMAL_MARK}${decimal}`;
}

/** JSON.stringify, with values made by `jsonNumber` written as numbers digit for digit. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value).replace(/"\u2063decimal:(-?\d+(?:\.\d+)?)"/g, '$1');
}

/** A positive decimal amount as given (string or exact number text); undefined when it is not one. */
export function positiveDecimal(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{1,12}(\.\d{1,8})?$/.test(value)) return undefined;
  return /[1-9]/.test(value) ? value : undefined;
}
