/**
 * What a person asks of a migration, through annotations the operator consumes — never through
 * status, which GitOps tools revert (Flagger issue #1814) and which is the operator's memory.
 *
 * pause is a hold, not a request: `spec.paused` (declared, e.g. in Git) or the annotation
 * `novabot.io/paused: "true"` (kubectl nova pause; GitOps tools leave annotations they do not
 * manage alone); either holds the migration. promote, abort and retry are one-shot requests: the
 * annotation's value is a token (kubectl nova writes a timestamp), and status.control records
 * the last token acted on, so each request acts exactly once even though the annotation stays
 * in the object (and in Git). A request that does not fit the phase (retry while Progressing)
 * is recorded as handled with a Warning Event saying why, so it cannot fire by surprise later.
 */
import type { NovaMigration } from '../api/novamigration.js';
import { enterStep, preciseTime, rollBack, type ControlStatus, type Decision, type Progress } from './decision.js';
import { stepLabel, type Step } from './steps.js';

export const CONTROL_ANNOTATIONS = {
  /** Skip the remaining steps: all of the route to the target now. */
  promote: 'novabot.io/promote',
  /** Roll back now: all of the route to legacy, phase RolledBack. */
  abort: 'novabot.io/abort',
  /** Start a RolledBack migration again from its first step. */
  retry: 'novabot.io/retry',
} as const;

/**
 * Lets a migration past a `pause: {}`: the 1-based step number, optionally followed by `@` and a
 * token (kubectl nova resume writes `4@<time>`), so that a new approval of the same step after a
 * retry differs from the one given before it (which status.control.staleApproval discounts).
 */
export const APPROVED_STEP_ANNOTATION = 'novabot.io/approved-step';

/** A person's hold: set by kubectl nova pause, removed by kubectl nova resume. */
export const PAUSED_ANNOTATION = 'novabot.io/paused';

export type ControlVerb = keyof typeof CONTROL_ANNOTATIONS;
export type ControlRequests = Partial<Record<ControlVerb, string>> & {
  readonly paused?: boolean;
  /** The approved-step annotation as written, remembered as stale when a retry starts a new run. */
  readonly approval?: string;
};

/** Checked in this order: abort is the safety valve and wins over anything asked with it. */
const ORDER: readonly ControlVerb[] = ['abort', 'retry', 'promote'];

export function readControls(migration: NovaMigration): ControlRequests {
  const annotations = migration.metadata?.annotations ?? {};
  const requests: Partial<Record<ControlVerb, string>> = {};
  for (const verb of ORDER) {
    const token = annotations[CONTROL_ANNOTATIONS[verb]];
    if (token !== undefined && token !== '') requests[verb] = token;
  }
  const approval = annotations[APPROVED_STEP_ANNOTATION];
  return { ...requests, ...(annotations[PAUSED_ANNOTATION] === 'true' ? { paused: true } : {}), ...(approval === undefined ? {} : { approval }) };
}

/**
 * The step number (1-based) a person approved, from the annotation; nothing when it is malformed
 * or is the approval given before the last retry.
 */
export function approvedStep(approval: string | undefined, staleApproval: string | undefined): number | undefined {
  if (approval === undefined || approval === staleApproval) return undefined;
  const match = /^(\d{1,4})(@\S{1,64})?$/u.exec(approval);
  return match === null ? undefined : Number(match[1]);
}

export function pendingControl(requests: ControlRequests | undefined, handled: ControlStatus | undefined): { verb: ControlVerb; token: string } | undefined {
  for (const verb of ORDER) {
    const token = requests?.[verb];
    if (token !== undefined && token !== handled?.[verb]) return { verb, token };
  }
  return undefined;
}

export function applyControl(steps: readonly Step[], current: Progress, request: { verb: ControlVerb; token: string }, now: number, approval?: string): Decision {
  const control: ControlStatus = { ...current.control, [request.verb]: request.token };
  const ignored = (why: string): Decision => ({
    progress: { ...current, control },
    effect: { type: 'continue' },
    events: [{ type: 'Warning', reason: 'ControlIgnored', note: `${CONTROL_ANNOTATIONS[request.verb]}=${request.token} ignored: ${why}` }],
  });
  switch (request.verb) {
    case 'abort':
      if (current.phase === 'RolledBack') return ignored('the migration is already rolled back');
      return rollBack(current, 'Aborted', `aborted by a person at ${current.stepLabel ?? ''} with ${String(current.desiredWeight ?? 0)}% on the target: all of the route back to legacy`, { control });
    case 'retry': {
      if (current.phase !== 'RolledBack') return ignored(`retry restarts a RolledBack migration; this one is ${current.phase}`);
      // Approvals belong to a run: the one standing now must not wave the new run past its manual pauses.
      const fresh: ControlStatus = approval === undefined ? control : { ...control, staleApproval: approval };
      const restarted = enterStep(steps, 0, 0, now, { ...current, control: fresh, analysis: null, runStartedAt: preciseTime(now) });
      return { progress: { ...restarted, reason: 'Retried' }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'Retried', note: `retried by a person: starting again at ${restarted.stepLabel ?? ''}` }] };
    }
    case 'promote': {
      if (current.phase === 'RolledBack') return ignored('a RolledBack migration must be retried before it is promoted');
      if (current.phase === 'Promoted') return ignored('the migration is already promoted');
      const progress: Progress = {
        ...current,
        control,
        phase: 'Progressing',
        reason: 'PromotedByPerson',
        message: `promoted by a person at ${current.stepLabel ?? ''}: skipping the remaining steps`,
        currentStep: steps.length,
        stepLabel: stepLabel(steps, steps.length),
        stepStartedAt: preciseTime(now),
        desiredWeight: 100,
      };
      return { progress, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'PromoteRequested', note: progress.message }] };
    }
  }
}
