/**
 * The stage the demo rehearses is the real file from examples/stages/, adapted only where one
 * machine differs from a cluster: the services' addresses (loopback ports instead of Service
 * names), the Prometheus address, and time (every timed pause, the 48 h bake included, lasts
 * --pause; the analysis runs every --interval over a window of four), minRequests scaled to a
 * demo's traffic, failureLimit counted in the evidence the file means (its checks see disjoint
 * windows, the demo's overlap: demoFailureLimit), and the p95 limit only when --p95-limit raises
 * it. Steps, weights, error-rate rules and dependencies stay as written, so what the demo shows is
 * what the stage file does. Stage 7 (the database split) names no address: its moves run as the
 * operator's local process (main.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { duration, durationText, type DemoOptions } from './options.js';

export interface StageObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    dependsOn?: string[];
    route?: { host?: string; pathPrefix: string };
    legacy?: { service: string; port: number };
    target?: { service: string; port: number };
    /** A traffic migration's data plane; absent in stage 7, which has `database` instead. */
    trafficProvider?: Record<string, unknown>;
    database?: { contexts: { name: string; schema: string; tables: string[] }[] } & Record<string, unknown>;
    steps: Record<string, unknown>[];
    analysis?: Record<string, unknown> & { thresholds?: Record<string, number> };
  };
}

/**
 * The stage files the demo applies, by the seed's stage number: the one-machine data plane's
 * variant where a stage has several (nginx for the HTTP routes), and both halves of stage 5.
 */
export const STAGE_FILES = {
  1: ['examples/stages/stage-1-webhook-gateway-nginx.yaml'],
  2: ['examples/stages/stage-2-users.yaml'],
  3: ['examples/stages/stage-3-bots.yaml'],
  4: ['examples/stages/stage-4-publisher.yaml'],
  5: ['examples/stages/stage-5-payments.yaml', 'examples/stages/stage-5-payment-callbacks-nginx.yaml'],
  6: ['examples/stages/stage-6-notifications.yaml'],
  7: ['examples/stages/stage-7-database.yaml'],
  8: ['examples/stages/stage-8-admin-panel-nginx.yaml'],
} as const satisfies Readonly<Record<number, readonly string[]>>;

export type StageNumber = keyof typeof STAGE_FILES;

export interface Endpoints {
  readonly legacy: { host: string; port: number };
  readonly target: { host: string; port: number };
  readonly prometheusUrl: string;
}

export function loadStage(repoRoot: string, file: string): StageObject {
  return parse(readFileSync(`${repoRoot}/${file}`, 'utf8')) as StageObject;
}

/**
 * The expected target requests in one window at the first weight, halved: enough to judge, few
 * enough to reach. `share`: the requests this migration sees per update the users send (stage 5's
 * callbacks: one per payment, a third of the updates); below 1 the floor is 2, not 3.
 */
export function demoMinRequests(stage: StageObject, options: DemoOptions, share = 1): number {
  const first = stage.spec.steps.find((step) => typeof step.setWeight === 'number' && step.setWeight > 0)?.setWeight as number | undefined;
  const perWindow = options.rate * share * (windowMs(options) / 1000) * ((first ?? 100) / 100);
  return Math.max(share < 1 ? 2 : 3, Math.floor(perWindow / 2));
}

/**
 * The stage file's own p95 limit (the plan's 200 ms), unless `--p95-limit` raises it: test/demo's
 * runs check the plan's mechanics beside other work on two cores, and a test never asserts the
 * machine's speed. A person's demo is judged by the file as written (docs/demo.md: a quiet run of
 * the whole plan here Promoted every stage at 200 ms).
 */
export function demoP95Limit(stage: StageObject, floorMs: number | undefined): number | undefined {
  const written = stage.spec.analysis?.thresholds?.p95LatencyMs;
  if (floorMs === undefined) return typeof written === 'number' ? written : undefined;
  return Math.max(typeof written === 'number' ? written : 0, floorMs);
}

function withP95(limitMs: number | undefined): { p95LatencyMs?: number } {
  return limitMs === undefined ? {} : { p95LatencyMs: limitMs };
}

/**
 * The stage file's `failureLimit`, counted in the evidence the file means. The files' checks look at
 * disjoint windows (no `window`: a window is the interval, a minute), so each request is judged once
 * and two failed checks are two windows of evidence. The demo looks at a window of four intervals
 * every interval (a few percent of its traffic needs a wide window), so each request is judged by four
 * checks in a row: one slow request among the few a window holds at 5 % failed two of them and rolled
 * a stage back (docs/demo.md, "One slow request, two failed checks"). Multiplied by how many more
 * checks see each request than the file's do, the limit again asks for the file's evidence: a request
 * fails at most four checks before it leaves the window; a target that stays slow or failing fails
 * every check and rolls back after as many windows as the file says.
 */
export function demoFailureLimit(stage: StageObject, options: DemoOptions): number {
  const analysis = stage.spec.analysis;
  const written = typeof analysis?.failureLimit === 'number' ? analysis.failureLimit : 2;
  const counted = written * Math.max(1, Math.round(checksPerRequest(windowMs(options), options.intervalMs) / fileChecksPerRequest(analysis)));
  return Math.min(MAX_FAILURE_LIMIT, counted);
}

/** The CRD's own bound on failureLimit: a larger one would be refused at admission. */
const MAX_FAILURE_LIMIT = 100;

/** How many checks in a row see one request: a window over the interval between checks. */
function checksPerRequest(windowMs: number, intervalMs: number): number {
  return Math.max(1, Math.ceil(windowMs / intervalMs));
}

/** The same for the file as written (its window defaults to its interval); 1 when either cannot be read. */
function fileChecksPerRequest(analysis: StageObject['spec']['analysis']): number {
  try {
    const interval = typeof analysis?.interval === 'string' ? duration('interval', analysis.interval) : undefined;
    const window = typeof analysis?.window === 'string' ? duration('window', analysis.window) : interval;
    return interval === undefined || window === undefined ? 1 : checksPerRequest(window, interval);
  } catch {
    return 1;
  }
}

/** Four intervals: a few percent of a demo's traffic needs a wide window to say anything. */
export function windowMs(options: DemoOptions): number {
  return 4 * options.intervalMs;
}

export function adaptStage(stage: StageObject, endpoints: Endpoints, options: DemoOptions, share = 1): StageObject {
  const pause = durationText(options.pauseMs);
  const steps = stage.spec.steps.map((step) => {
    const timed = step.pause as { duration?: string } | undefined;
    return timed?.duration === undefined ? step : { pause: { duration: pause } };
  });
  const spec = {
    ...stage.spec,
    steps,
    analysis: {
      ...stage.spec.analysis,
      interval: durationText(options.intervalMs),
      window: durationText(windowMs(options)),
      failureLimit: demoFailureLimit(stage, options),
      prometheus: { address: endpoints.prometheusUrl },
      thresholds: { ...stage.spec.analysis?.thresholds, minRequests: demoMinRequests(stage, options, share), ...withP95(demoP95Limit(stage, options.p95FloorMs)) },
    },
  };
  if (stage.spec.trafficProvider !== undefined && 'nginx' in stage.spec.trafficProvider) {
    spec.legacy = { service: endpoints.legacy.host, port: endpoints.legacy.port };
    spec.target = { service: endpoints.target.host, port: endpoints.target.port };
  }
  return { ...stage, spec };
}

/** Stage 7's shape: tables move (spec.database), not traffic. */
export function isDatabaseStage(stage: StageObject): boolean {
  return stage.spec.database !== undefined;
}

/**
 * A stage promoted on the way to a later one, in as few steps as its kind allows: a traffic stage
 * in one (setWeight 100); stage 7 with its backup and its moves only (its CRD refuses setWeight,
 * and wants the backup before the first move), without its pauses and checks.
 */
export function promotedOnTheWay(stage: StageObject): { stage: StageObject; shown: string } {
  if (isDatabaseStage(stage)) {
    const steps = stage.spec.steps.filter((step) => 'backup' in step || 'moveSchema' in step);
    return { stage: { ...stage, spec: { ...stage.spec, steps } }, shown: 'backup and moves only' };
  }
  return { stage: { ...stage, spec: { ...stage.spec, steps: [{ setWeight: 100 }] } }, shown: 'one step: setWeight 100' };
}

export function writeStage(stage: StageObject, file: string): void {
  writeFileSync(file, `# Adapted by the demo from the stage file: loopback addresses, short pauses.\n${stringify(stage)}`);
}
