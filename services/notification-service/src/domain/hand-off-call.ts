/**
 * How a side's scheduler work is counted for the stage-6 analysis: each call that hands items on
 * (publish_due, a reminder's send, expire_due) is that many messages of the notification context,
 * ok or failed, taking the call's time; a listing that failed is one failed message (the tick's
 * work did not happen). Without it neither side reports any work and a stage-6 check is
 * inconclusive forever; with it a target whose calls fail shows errors, not silence.
 */

/** Told of each call: its outcome, its time in seconds, and how many items it carried. */
export type HandOffCall = (ok: boolean, seconds: number, items: number) => void;

/** Runs `call` and tells `report` (when given) how it went: `items` handed, or `failedItems` failed. */
export async function reported<T>(report: HandOffCall | undefined, call: () => Promise<T>, items: number, failedItems = items): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    if (items > 0) report?.(true, (performance.now() - started) / 1000, items);
    return result;
  } catch (error) {
    report?.(false, (performance.now() - started) / 1000, failedItems);
    throw error;
  }
}
