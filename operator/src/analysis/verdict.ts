/**
 * The seed's safety rules as one pure judgement over two measurements of the same window:
 *
 * - too little traffic to the target (fewer than `minRequests`) → Inconclusive: neither a pass
 *   nor a failure; an analysis step keeps waiting, nothing rolls back;
 * - the target's error rate above `maxErrorRate` → Fail;
 * - the target's error rate above `errorRateRatio` × legacy's → Fail. When legacy had no errors
 *   the ratio is meaningless (any error would be "infinitely worse"), so the rule is skipped and
 *   `maxErrorRate` alone bounds the target; the same when legacy had too little traffic to compare;
 * - the target's p95 above `p95LatencyMs` → Fail; no latency samples at all → Inconclusive.
 */

export interface Measurement {
  readonly requests: number;
  readonly errors: number;
  /** undefined: Prometheus had no latency samples in the window. */
  readonly p95LatencyMs: number | undefined;
}

export interface Thresholds {
  readonly errorRateRatio: number;
  readonly maxErrorRate: number;
  readonly p95LatencyMs: number;
  readonly minRequests: number;
}

export type CheckResult = 'Pass' | 'Fail' | 'Inconclusive';

export interface Verdict {
  readonly result: CheckResult;
  /** One line per rule that failed, with the numbers ("error rate 2.00% > 1.5 × legacy 1.00%"). */
  readonly failed: readonly string[];
  /** Why a rule was not applied or the check could not conclude. */
  readonly notes: readonly string[];
  readonly summary: string;
}

export function errorRate(measurement: Measurement): number {
  return measurement.requests > 0 ? Math.min(1, measurement.errors / measurement.requests) : 0;
}

export function judge(target: Measurement, legacy: Measurement, thresholds: Thresholds): Verdict {
  if (target.requests < thresholds.minRequests) {
    const note = `${count(target.requests)} requests to the target < minRequests ${String(thresholds.minRequests)}`;
    return { result: 'Inconclusive', failed: [], notes: [note], summary: `Inconclusive: ${note}` };
  }
  const failed: string[] = [];
  const notes: string[] = [];
  const targetRate = errorRate(target);
  const legacyRate = errorRate(legacy);
  if (targetRate > thresholds.maxErrorRate) failed.push(`error rate ${percent(targetRate)} > maxErrorRate ${percent(thresholds.maxErrorRate)}`);
  if (legacy.requests < thresholds.minRequests) notes.push(`ratio rule skipped: legacy had ${count(legacy.requests)} requests`);
  else if (legacyRate === 0) notes.push('ratio rule skipped: legacy had no errors');
  else if (targetRate > thresholds.errorRateRatio * legacyRate) {
    failed.push(`error rate ${percent(targetRate)} > ${String(thresholds.errorRateRatio)} × legacy ${percent(legacyRate)} (×${(targetRate / legacyRate).toFixed(2)})`);
  }
  if (target.p95LatencyMs === undefined) {
    const note = 'no latency samples for the target';
    return { result: 'Inconclusive', failed, notes: [...notes, note], summary: `Inconclusive: ${note}` };
  }
  if (target.p95LatencyMs > thresholds.p95LatencyMs) failed.push(`p95 ${ms(target.p95LatencyMs)} > ${ms(thresholds.p95LatencyMs)}`);
  const numbers = `errors ${percent(targetRate)} (legacy ${percent(legacyRate)}), p95 ${ms(target.p95LatencyMs)}, ${count(target.requests)} requests`;
  if (failed.length > 0) return { result: 'Fail', failed, notes, summary: `Failed: ${failed.join('; ')}` };
  return { result: 'Pass', failed, notes, summary: `Passed: ${numbers}` };
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ms`;
}

function count(value: number): string {
  return Math.round(value).toString();
}
