import { describe, expect, it } from '@jest/globals';
import { judge, type Measurement, type Thresholds } from './verdict.js';

const SEED: Thresholds = { errorRateRatio: 1.5, maxErrorRate: 0.05, p95LatencyMs: 200, minRequests: 50 };
const side = (requests: number, errors: number, p95LatencyMs: number | null = 40): Measurement => ({ requests, errors, p95LatencyMs: p95LatencyMs ?? undefined });

describe('judge', () => {
  it('passes a target as good as legacy, and says so with the numbers', () => {
    const verdict = judge(side(1000, 10), side(1000, 10), SEED);
    expect(verdict.result).toBe('Pass');
    expect(verdict.summary).toBe('Passed: errors 1.00% (legacy 1.00%), p95 40 ms, 1000 requests');
  });

  it('fails a target with twice legacy\'s error rate on the ratio rule alone', () => {
    const verdict = judge(side(1000, 20), side(1000, 10), SEED);
    expect(verdict.result).toBe('Fail');
    expect(verdict.failed).toEqual(['error rate 2.00% > 1.5 × legacy 1.00% (×2.00)']);
  });

  it('lets a target at exactly the ratio pass (the rule is "more than")', () => {
    expect(judge(side(1000, 15), side(1000, 10), SEED).result).toBe('Pass');
  });

  it('skips the ratio rule when legacy had no errors: maxErrorRate alone decides', () => {
    const within = judge(side(1000, 30), side(1000, 0), SEED);
    expect(within.result).toBe('Pass');
    expect(within.notes).toContain('ratio rule skipped: legacy had no errors');
    const beyond = judge(side(1000, 60), side(1000, 0), SEED);
    expect(beyond.result).toBe('Fail');
    expect(beyond.failed).toEqual(['error rate 6.00% > maxErrorRate 5.00%']);
  });

  it('skips the ratio rule when legacy had too little traffic to compare', () => {
    const verdict = judge(side(1000, 30), side(10, 0), SEED);
    expect(verdict.result).toBe('Pass');
    expect(verdict.notes).toEqual(['ratio rule skipped: legacy had 10 requests']);
  });

  it('fails on the absolute SLOs: the seed\'s 0.1 % error rate and 200 ms p95', () => {
    const seed = { ...SEED, maxErrorRate: 0.001 };
    expect(judge(side(10_000, 20), side(10_000, 20), seed).failed).toEqual(['error rate 0.20% > maxErrorRate 0.10%']);
    expect(judge(side(10_000, 0, 250), side(10_000, 0), seed).failed).toEqual(['p95 250 ms > 200 ms']);
    expect(judge(side(10_000, 10, 199), side(10_000, 10), seed).result).toBe('Pass');
  });

  it('calls too little target traffic inconclusive, whatever its errors', () => {
    const verdict = judge(side(49, 49), side(1000, 0), SEED);
    expect(verdict).toMatchObject({ result: 'Inconclusive', summary: 'Inconclusive: 49 requests to the target < minRequests 50' });
  });

  it('calls a target without latency samples inconclusive, not a pass', () => {
    expect(judge(side(1000, 0, null), side(1000, 0), SEED).result).toBe('Inconclusive');
  });

  it('lists every rule that failed', () => {
    expect(judge(side(1000, 100, 900), side(1000, 10), SEED).failed).toHaveLength(3);
  });
});
