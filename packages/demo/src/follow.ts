/**
 * A single-stage run from its files applied to its end, as a person at a terminal follows it: each
 * migration polled through the apiserver (migration-watch.ts), every manual pause approved with
 * `kubectl nova resume` a moment after the operator reports it waiting (but for a --fail run's held
 * approval, approval.ts), the target broken when the --fail run's break is due, and the live view
 * redrawn (or a line printed per change). Shared by the one-machine run (main.ts) and the one-node
 * cluster's (cluster.ts), which differ in where things run, not in how the stage is followed.
 */
import { BROKEN_HOLD_MS, type StageBreak } from './approval.js';
import { kubectl, shown } from './kubectl.js';
import type { MigrationWatch } from './migration-watch.js';
import type { DemoOptions } from './options.js';
import { REPO_ROOT, say } from './rehearsal.js';
import type { Snapshot } from './snapshot.js';
import { renderLine, renderLive } from './view.js';

const POLL_MS = 500;
const STAGE_TIMEOUT_MS = 15 * 60_000;
/** A person looks at the numbers first; the demo gives it a moment, then approves like an SRE would. */
const APPROVAL_DELAY_MS = 3_000;

export class StageTimeoutError extends Error {
  constructor(readonly minutes: number, readonly phases: string) {
    super(`the stage did not finish in ${String(minutes)} minutes (${phases})`);
    this.name = 'StageTimeoutError';
  }
}

export interface FollowedStage {
  /** The stage's migrations; the first is the one its --fail breaks and the view shows in full. */
  readonly watches: readonly [MigrationWatch, ...MigrationWatch[]];
  readonly options: Pick<DemoOptions, 'live'>;
  /** The kubeconfig `kubectl nova resume` runs with (the demo's apiserver, or the node's). */
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly stageBreak: StageBreak;
  /** What --fail breaks, for the note on a held approval. */
  readonly breaks: string;
  /** Breaks the target; what happened, for the events. */
  readonly breakTarget: () => Promise<string>;
  readonly snapshot: () => Snapshot;
  readonly finished: (status: Snapshot['status']) => boolean;
}

/** Polls until every migration is finished (or STAGE_TIMEOUT_MS passes), approving and breaking on the way. */
export async function followStage(stage: FollowedStage): Promise<void> {
  const { watches, stageBreak } = stage;
  const [watch] = watches;
  const startedAt = Date.now();
  const approving = new Set<string>();
  let lastLine = '';
  for (;;) {
    const statuses = await Promise.all(watches.map((each) => each.poll().catch(() => each.status)));
    if (statuses.every(stage.finished)) break;
    if (Date.now() - startedAt > STAGE_TIMEOUT_MS) throw new StageTimeoutError(STAGE_TIMEOUT_MS / 60_000, watches.map((each) => `${each.name} ${each.status.phase ?? 'Pending'}`).join(', '));
    for (const each of watches) {
      if (each.awaitingApproval() === undefined || approving.has(each.name)) continue;
      if (stageBreak.holdsApproval(Date.now())) {
        if (stageBreak.firstHold()) each.note(`--fail: the approval is held (for ${String(BROKEN_HOLD_MS / 1000)} s from the break): a person who saw ${stage.breaks} break would not approve, and the analysis runs through the pause`);
        continue;
      }
      approving.add(each.name);
      setTimeout(() => {
        const args = ['nova', 'resume', each.name, '-n', stage.namespace];
        void kubectl(REPO_ROOT, stage.kubeconfig, args).then((result) => {
          each.note(`$ ${shown(args)}  →  ${(result.stdout || result.stderr).trim()}`);
          approving.delete(each.name);
        });
      }, APPROVAL_DELAY_MS);
    }
    // tampered-row needs nothing here: the operator's engine changes the row inside the move (TAMPERED).
    if (stageBreak.due(watch.status.weight ?? 0, Date.now())) {
      stageBreak.broke(Date.now());
      watch.note(`--fail: ${await stage.breakTarget()}`);
    }
    const view = stage.snapshot();
    if (stage.options.live) process.stdout.write(renderLive(view));
    else {
      const line = renderLine(view);
      if (line !== lastLine) say(line);
      lastLine = line;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (stage.options.live) process.stdout.write(renderLive(stage.snapshot()));
}
