/**
 * How a side's scheduler work is counted for the stage-6 analysis: each call that hands items on
 * (publish_due, a reminder's send, expire_due) is that many messages of the notification context,
 * ok or failed, taking the call's time; a listing that failed is one failed message (the tick's
 * work did not happen). Without it neither side reports any work and a stage-6 check is
 * inconclusive forever; with it a target whose calls fail shows errors, not silence.
 */
import { timeOwnWork } from '@nova/resilience';

/**
 * Told of each call: its outcome, its own time in seconds (less its waits on Telegram's limits: a
 * reminder's send paced to the chat's one message a second, a due post the publisher sent after
 * its chat's turn), how many items it carried, and those waits.
 */
export type HandOffCall = (ok: boolean, seconds: number, items: number, waitedSeconds: number) => void;

/** Runs `call` and tells `report` (when given) how it went: `items` handed, or `failedItems` failed. */
export async function reported<T>(report: HandOffCall | undefined, call: () => Promise<T>, items: number, failedItems = items): Promise<T> {
  const { value, ownSeconds, waitedSeconds } = await timeOwnWork(call, { failed: (own, waited) => { report?.(false, own, failedItems, waited); } });
  if (items > 0) report?.(true, ownSeconds, items, waitedSeconds);
  return value;
}
