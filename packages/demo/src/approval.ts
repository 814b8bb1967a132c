/**
 * When the demo's person approves a manual pause in a --fail run. The stage the demo breaks is not
 * approved from the moment its target carries the share the demo breaks it at until BROKEN_HOLD_MS
 * after the break: a person who saw the target break would not approve, and the rollback must come
 * from the operator's analysis (which runs through a pause: a pause holds the steps, not the safety
 * net), never from how the run's short steps happen to fall. Without the hold, a target cut off from
 * NATS was promoted under load: its pages fail only after their bus timeout (5 s), and the stage's
 * last analysis (3 s pauses, one approval) came before a failure was scraped (seen on a loaded machine).
 * After the hold the person approves: an analysis that missed 30 s of failures should be seen to.
 * A tampered row (stage 7) is not a break of a target: the operator's engine makes it inside a move
 * that comes after the approval, so nothing is held for it.
 */
import type { StagePlan } from './stage-plans.js';

/** The bus timeout (5 s), Prometheus' scrape and the two failed checks a rollback needs, with room for a loaded machine. */
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
