/**
 * One prom-client registry per process, with the default process metrics, and get-or-create
 * helpers so that two parts of a process (or two buses in one test) can share a metric name.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; fine around 5 ms–1 s where the analysis compares p95 against 200 ms. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2.5, 5, 10] as const;

export type Side = 'legacy' | 'target';

export interface MetricsOptions {
  readonly namespace: string;
  readonly side: Side;
  /** Collect nodejs/process default metrics (off in unit tests that make many registries). */
  readonly defaults?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly namespace: string;
  readonly side: Side;

  constructor(options: MetricsOptions) {
    this.namespace = options.namespace;
    this.side = options.side;
    if (options.defaults ?? true) collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Counter) return existing;
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[] = LATENCY_BUCKETS): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Histogram) return existing;
    return new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Gauge) return existing;
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Prometheus text exposition of everything registered. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
