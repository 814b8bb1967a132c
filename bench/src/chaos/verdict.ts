import type { ChaosReport } from './run.js';

/**
 * What makes a chaos run fail: an accepted update never answered, or more duplicate replies than
 * kills. Telegram's sendMessage has no idempotency key, so a process killed between Telegram's
 * answer and its "sent" mark repeats that reply: at most about one per send in flight at a kill.
 */
export function verdict(report: ChaosReport): string[] {
  const problems: string[] = [];
  const { traffic } = report;
  if (traffic.lost > 0) problems.push(`${String(traffic.lost)} accepted updates were never answered`);
  if (traffic.undelivered > 0) problems.push(`${String(traffic.undelivered)} updates were still not delivered at the end`);
  if (traffic.duplicates > report.killLog.length) problems.push(`${String(traffic.duplicates)} duplicate replies, more than the ${String(report.killLog.length)} kills`);
  return problems;
}
