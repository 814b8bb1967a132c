import { describe, expect, it } from '@jest/globals';
import { TELEGRAM_MESSAGE_LIMIT, splitForTelegram, truncateForTelegram } from './split.js';

describe("Telegram's 4,096-character limit", () => {
  it('leaves a short text whole', () => {
    expect(splitForTelegram('a\nb')).toEqual(['a\nb']);
  });

  it('splits a long list between lines, each piece within the limit, nothing else lost', () => {
    const lines = Array.from({ length: 400 }, (_, index) => `• @nova_bot_${String(index)}: ${String(index)} человек`);
    const text = lines.join('\n');
    const pieces = splitForTelegram(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    expect(pieces.join('\n')).toBe(text);
    expect(pieces.flatMap((piece) => piece.split('\n'))).toEqual(lines);
  });

  it('cuts a line longer than the limit, never inside a surrogate pair', () => {
    const line = `a${'😀'.repeat(10)}`; // 21 UTF-16 units: a cut at 4 would fall inside the second emoji
    const pieces = splitForTelegram(line, 4);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4);
      expect(piece).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    }
    expect(pieces.join('')).toBe(line);
  });

  it('truncates with an ellipsis, never leaving half an emoji', () => {
    expect(truncateForTelegram('😀😀😀', 4)).toBe('😀…');
    expect(truncateForTelegram('short', 10)).toBe('short');
    expect(truncateForTelegram('x'.repeat(5000))).toHaveLength(TELEGRAM_MESSAGE_LIMIT);
  });
});
