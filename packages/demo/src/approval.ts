/**
 * When the demo breaks the stage a --fail run names, and when its person approves that stage's
 * manual pause. The stage the demo breaks is not approved from the moment its target carries the
 * share the demo breaks it at until BROKEN_HOLD_MS after the break: a person who saw the target
 * break would not approve, and the rollback must come from the operator's analysis (which runs
 * through a pause: a pause holds the steps, not the safety net), never from how the run's short
 * steps happen to fall. Without the hold, a target cut off from NATS was promoted under load: its
 * pages fail only after their bus timeout (5 s), and the stage's last analysis (3 s pauses, one
 * approval) came before a failure was scraped (seen on a loaded machine). After the hold the person
 * approves: an analysis that missed 30 s of failures should be seen to.
 * A tampered row (stage 7) is not a break of a target: the operator's engine makes it inside a move
 * that comes after the approval, so nothing is broken here and nothing is held for it.
 */
import type { RunningDeployable, SchemaRole } from '@nova/fleet';
import type { LinkCutter } from './link-cutter.js';
import type { StagePlan } from './stage-plans.js';

/**
 * The bus timeout (5 s), Prometheus' scrape and the failed checks a rollback needs (the demo's
 * failureLimit: 8 at test/demo's 2-s interval, 16 s), with room for a loaded machine. A step approved
 * after it still waits while the last check fails (the engine's `advance`), so a person's slower
 * `--stage N --fail` (5-s checks, 40 s) rolls back all the same.
 */
export const BROKEN_HOLD_MS = 30_000;

export interface BreakState {
  /** The fault this run makes, undefined without --fail (or for a stage not broken). */
  readonly fault: StagePlan['fault'] | undefined;
  /** When the target first carried the share the demo breaks it at. */
  readonly targetSince: number | undefined;
  /** When the demo broke it. */
  readonly brokenAt: number | undefined;
}

/** True while the person holds back the approval of the broken stage's manual pause. */
export function approvalHeld(state: BreakState, now: number): boolean {
  if (state.fault === undefined || state.fault === 'tampered-row' || state.targetSince === undefined) return false;
  return state.brokenAt === undefined || now - state.brokenAt < BROKEN_HOLD_MS;
}

/**
 * One --fail run's break, as the single-stage and the whole-plan runs both make it: the target is
 * broken once it carries a real share (25 %: at 5 % a demo's few chats give the analysis too little
 * to judge, which is "inconclusive", never a rollback) for two analysis intervals. A killed target
 * dies at its first share: its lapsed record fails the check whatever the metrics hold, and later
 * on (25 % to Promoted takes seconds here) the stage could end before the record lapses.
 */
export class StageBreak {
  private targetSince: number | undefined;
  private brokenAt: number | undefined;
  private holdSaid = false;

  /** `fault` undefined: nothing is broken (no --fail, or another stage's). */
  constructor(readonly fault: StagePlan['fault'] | undefined, private readonly intervalMs: number) {}

  /** The target's weight now; true once, when the demo should break the target (never for a tampered row). */
  due(weight: number, now: number): boolean {
    if (this.fault === undefined || this.fault === 'tampered-row' || this.brokenAt !== undefined) return false;
    if (weight >= (this.fault === 'process-kill' ? 1 : 25)) this.targetSince ??= now;
    const settleMs = this.fault === 'process-kill' ? 0 : 2 * this.intervalMs;
    return this.targetSince !== undefined && now - this.targetSince >= settleMs;
  }

  broke(now: number): void {
    this.brokenAt = now;
  }

  holdsApproval(now: number): boolean {
    return approvalHeld({ fault: this.fault, targetSince: this.targetSince, brokenAt: this.brokenAt }, now);
  }

  /** True the first time it is asked: the hold is said once in the events, not at every poll. */
  firstHold(): boolean {
    const first = !this.holdSaid;
    this.holdSaid = true;
    return first;
  }
}

/** What a run can break its target with: the one its plan's fault names is defined. */
export interface BreakTools {
  readonly cutter: LinkCutter | undefined;
  readonly ownRole: SchemaRole | undefined;
  readonly fleet: readonly RunningDeployable[];
}

/** Breaks `plan.breaks` as its fault says; what happened, for the events. */
export async function breakTarget(plan: StagePlan, tools: BreakTools): Promise<string> {
  if (tools.cutter !== undefined) {
    tools.cutter.sever();
    return `${plan.breaks} just lost its connection to NATS`;
  }
  if (tools.ownRole !== undefined) {
    await tools.ownRole.revoke();
    return `${plan.breaks} just lost its database privileges (alive and ready, failing everything it handles)`;
  }
  if (plan.fault === 'process-kill') {
    const victim = tools.fleet.find((running) => running.deployable === plan.breaks);
    if (victim === undefined) throw new Error(`--fail: ${plan.breaks} is not running`);
    await victim.process.kill('SIGKILL');
    return `${plan.breaks} was just killed (SIGKILL) and is not started again`;
  }
  throw new Error(`--fail: nothing is set up to break ${plan.breaks} with (fault ${plan.fault})`);
}
