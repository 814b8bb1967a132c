import type { ChaosReport } from './run.js';

/**
 * What makes a chaos run fail: an accepted update never answered, more duplicate replies than
 * kills (Telegram's sendMessage has no idempotency key, so a process killed between Telegram's
 * answer and its "sent" mark repeats that reply: at most about one per send in flight at a kill),
 * a weight written that status did not intend, a leader's kill no other replica took over from
 * within twice the lease duration, or the stage migration not finished (Promoted) by the end.
 * A failover between the lease duration (the issue's goal) and that is reported, not failed: the
 * algorithm's own bound on an idle machine is the lease plus the standby's try (operators.ts,
 * failoverBoundMs: 15.3 s at the defaults), but a standby whose watch of the Lease is down falls
 * back to client-go's timing (up to the lease plus two jittered retry periods, 19.8 s), and one run
 * here at load average 35 took 21.5 s with that timing, every apiserver request being slow.
 */
export function verdict(report: ChaosReport): string[] {
  const problems: string[] = [];
  const { traffic, operator } = report;
  if (traffic.lost > 0) problems.push(`${String(traffic.lost)} accepted updates were never answered`);
  if (traffic.undelivered > 0) problems.push(`${String(traffic.undelivered)} updates were still not delivered at the end`);
  if (traffic.duplicates > report.killLog.length) problems.push(`${String(traffic.duplicates)} duplicate replies, more than the ${String(report.killLog.length)} kills`);
  const { weights } = operator.migration;
  if (weights.unintended.length > 0) problems.push(`${String(weights.unintended.length)} weights written that status did not intend: ${weights.unintended.map((w) => `${String(w.weight)}% (fence ${String(w.fence)})`).join(', ')}`);
  for (const failover of operator.failovers) {
    if (failover.ms === undefined) problems.push(`no replica took over from ${failover.killed} (killed at ${String(Math.round(failover.at / 1000))} s)`);
    else if (failover.ms > 2 * operator.election.leaseMs) problems.push(`the failover from ${failover.killed} took ${String(failover.ms)} ms, over twice the lease duration (${String(operator.election.leaseMs)} ms)`);
  }
  if (operator.migration.phase !== 'Promoted') problems.push(`${operator.migration.name} ended ${String(operator.migration.phase)}, not Promoted`);
  return problems;
}
