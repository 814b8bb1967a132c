/**
 * A counter's total across the fleet's processes, read from their /metrics: what the tests and
 * the demo compare with what they saw (e.g. doubles against the sends a publisher could not record).
 */
import type { RunningDeployable } from './start.js';

/** Labels a series must carry (and with these values) to count; others it may carry too. */
export type LabelMatch = Readonly<Record<string, string>>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/u;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/gu;

/** The sum of `metric`'s samples in a Prometheus text exposition, over the series that match `labels`. */
export function counterTotal(exposition: string, metric: string, labels: LabelMatch = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (match?.[1] !== metric) continue;
    const present = new Map([...(match[2] ?? '').matchAll(LABEL)].map((label) => [label[1], label[2]]));
    if (!Object.entries(labels).every(([name, value]) => present.get(name) === value)) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** `counterTotal` over every process's /metrics (a process that does not answer counts 0: it was stopped). */
export async function fleetCounterTotal(processes: readonly Pick<RunningDeployable, 'metrics'>[], metric: string, labels: LabelMatch = {}): Promise<number> {
  const texts = await Promise.all(processes.map((each) => each.metrics().catch(() => '')));
  return texts.reduce((sum, text) => sum + counterTotal(text, metric, labels), 0);
}
