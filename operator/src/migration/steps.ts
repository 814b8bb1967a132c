/**
 * The steps of a NovaMigration as the engine reads them: what kind each is, how long a pause
 * lasts, and the label people see in the Step column.
 */
import type { NovaMigrationSpec } from '../api/generated/novamigration.js';

export type Step = NovaMigrationSpec['steps'][number];

export type StepKind =
  | { readonly kind: 'setWeight'; readonly weight: number }
  | { readonly kind: 'timedPause'; readonly durationMs: number; readonly duration: string }
  | { readonly kind: 'manualPause' }
  | { readonly kind: 'analysis' }
  /** spec.database only: a pg_dump of the database, the last resort. */
  | { readonly kind: 'backup' }
  /** spec.database only: one context's tables into its schema, verified. */
  | { readonly kind: 'moveSchema'; readonly context: string };

export class InvalidStepError extends Error {
  constructor(readonly index: number, problem: string) {
    super(`step ${String(index + 1)}: ${problem}`);
    this.name = 'InvalidStepError';
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/u;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gu;

/** Go's duration syntax as the CRD admits it ("10m", "1h30m", "1.5s", "500ms"); undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount = '0', unit = 's'] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit] ?? 0);
  return Math.round(total);
}

/**
 * The admission rules already guarantee one kind per step; this re-checks, because an object
 * stored under an older schema (or written with validation off) must fail loudly, not be guessed at.
 */
export function stepKind(step: Step, index: number): StepKind {
  if (step.setWeight !== undefined) return { kind: 'setWeight', weight: step.setWeight };
  if (step.analysis !== undefined) return { kind: 'analysis' };
  if (step.backup !== undefined) return { kind: 'backup' };
  if (step.moveSchema !== undefined) return { kind: 'moveSchema', context: step.moveSchema.context };
  if (step.pause !== undefined) {
    if (step.pause.duration === undefined) return { kind: 'manualPause' };
    const durationMs = parseDuration(step.pause.duration);
    if (durationMs === undefined) throw new InvalidStepError(index, `pause duration "${step.pause.duration}" is not a duration like 10m or 1h30m`);
    return { kind: 'timedPause', durationMs, duration: step.pause.duration };
  }
  throw new InvalidStepError(index, 'is none of setWeight, pause, analysis, backup or moveSchema');
}

function describeKind(kind: StepKind): string {
  switch (kind.kind) {
    case 'setWeight':
      return `setWeight ${String(kind.weight)}`;
    case 'timedPause':
      return `pause ${kind.duration}`;
    case 'manualPause':
      return 'pause (approval)';
    case 'analysis':
      return 'analysis';
    case 'backup':
      return 'backup';
    case 'moveSchema':
      return `moveSchema ${kind.context}`;
  }
}

/** "3/11 analysis"; "11/11 done" once every step ran. Steps are numbered from 1 for people. */
export function stepLabel(steps: readonly Step[], index: number): string {
  const total = steps.length;
  const step = steps[index];
  if (step === undefined) return `${String(total)}/${String(total)} done`;
  return `${String(index + 1)}/${String(total)} ${describeKind(stepKind(step, index))}`;
}
