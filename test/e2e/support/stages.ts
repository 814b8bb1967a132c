/**
 * The stage files of examples/stages/ as an SRE applies them, adapted only where one machine in
 * a test differs from a cluster: the namespace, addresses (loopback instead of Service names),
 * time (every timed pause, the 48 h bake included, lasts seconds; the analysis every couple of
 * seconds) and the Prometheus address. Steps, weights, the manual approval, the error thresholds
 * and dependencies stay as written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const EXAMPLES = new URL('../../../examples/stages/', import.meta.url);

export interface StageDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    dependsOn?: string[];
    route?: { host?: string; pathPrefix: string };
    legacy: { service: string; port: number };
    target: { service: string; port: number };
    trafficProvider: Record<string, unknown>;
    steps: Record<string, unknown>[];
    analysis?: Record<string, unknown> & { thresholds?: Record<string, number> };
    onDelete?: string;
  };
}

export function loadStage(file: string): StageDocument {
  return parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as StageDocument;
}

export interface Timing {
  /** Every timed pause. */
  readonly pause: string;
  readonly interval: string;
  readonly window: string;
}

/** Every `pause: { duration }` lasts `pause`; manual pauses and the other steps stay. */
export function shortenPauses(steps: readonly Record<string, unknown>[], pause: string): Record<string, unknown>[] {
  return steps.map((step) => ((step.pause as { duration?: string } | undefined)?.duration === undefined ? step : { pause: { duration: pause } }));
}

export interface TestStageOptions {
  readonly namespace: string;
  readonly prometheusUrl: string;
  /** The analysis window (the check runs every 2 s; timed pauses last 4 s). */
  readonly window: string;
  /** Thresholds the test's handful of chats needs instead of the file's (minRequests, a p95 floor): said at the call. */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Drop `dependsOn`: the earlier stage's end state is set up by the test itself. */
  readonly withoutDependencies?: boolean;
}

/** A stage file as a test applies it: its namespace, 4 s timed pauses, a check every 2 s over `window` on `prometheusUrl`. */
export function testStage(file: string, options: TestStageOptions): StageDocument {
  const stage = loadStage(file);
  stage.metadata.namespace = options.namespace;
  if (options.withoutDependencies === true) delete stage.spec.dependsOn;
  stage.spec.steps = shortenPauses(stage.spec.steps, '4s');
  stage.spec.analysis = {
    ...stage.spec.analysis,
    interval: '2s',
    window: options.window,
    prometheus: { address: options.prometheusUrl },
    thresholds: { ...stage.spec.analysis?.thresholds, ...options.thresholds },
  };
  return stage;
}

/** 1-based number of the first manual pause (`pause: {}`), what `kubectl nova resume` approves. */
export function manualPauseStep(stage: StageDocument): number {
  const index = stage.spec.steps.findIndex((step) => step.pause !== undefined && (step.pause as { duration?: string }).duration === undefined);
  if (index < 0) throw new Error(`${stage.metadata.name} has no manual pause`);
  return index + 1;
}

export function writeStage(stage: StageDocument, path: string): string {
  writeFileSync(path, stringify(stage));
  return path;
}
