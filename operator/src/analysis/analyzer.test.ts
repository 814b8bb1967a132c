import { describe, expect, it } from '@jest/globals';
import { analysisWindow, MIN_WINDOW_MS } from './analyzer.js';

describe('analysisWindow', () => {
  it('turns durations PromQL cannot read into milliseconds, and keeps the others', () => {
    expect(analysisWindow('30s')).toBe('30s');
    expect(analysisWindow('1m30s')).toBe('90000ms');
    expect(analysisWindow('1.5s')).toBe('1500ms');
  });

  it('never reaches back before the run began: a retry is judged on its own requests', () => {
    expect(analysisWindow('30s', 12_345)).toBe('12345ms');
    expect(analysisWindow('30s', 60_000)).toBe('30s');
    expect(analysisWindow('30s', 10)).toBe(`${String(MIN_WINDOW_MS)}ms`);
  });
});
