import { DurationError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses Go-style durations (`500ms`, `10s`, `1m30s`, `2h`) into milliseconds. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (text === '') throw new DurationError(value);
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match?.[1] || !match[2]) throw new DurationError(value);
    total += Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}
