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
