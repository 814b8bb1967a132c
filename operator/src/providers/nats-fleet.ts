/**
 * Whether the fleet routes by a context's stored weight: every live process (one with an applied
 * record younger than the bucket's TTL) acknowledged the key's current revision. No live process
 * at all counts as applied: a process that starts later reads the bucket before it sends anything.
 */
import type { AppliedRecord, ContextName } from '@nova/contracts';
import type { NatsRoutingStore } from './nats-store.js';

export interface FleetView {
  /** Every live process acknowledged `revision`. */
  readonly applied: boolean;
  /** The processes that did not, as "<process> (<weight>%)". */
  readonly lagging: readonly string[];
  /** The weight of the first lagging process (what part of the fleet still routes by). */
  readonly laggingWeight: number | undefined;
  /** Some process already routes by a later revision: the weight was overwritten since. */
  readonly superseded: boolean;
}

interface MigrationId {
  readonly namespace: string;
  readonly name: string;
}

export function fleetView(records: readonly AppliedRecord[], revision: number): FleetView {
  const lagging = records.filter((record) => record.revision !== revision);
  return {
    applied: lagging.length === 0,
    lagging: lagging.map((record) => `${record.process} (${String(record.weight)}%)`),
    laggingWeight: lagging[0]?.weight,
    superseded: records.some((record) => record.revision > revision),
  };
}

export async function readFleet(store: NatsRoutingStore, migration: MigrationId, context: ContextName, revision: number): Promise<FleetView> {
  return fleetView(await store.applied(migration, context), revision);
}

/** First pause between two reads of the applied records; it doubles up to MAX_POLL_MS. */
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

/**
 * Polls the applied records until the fleet routes by `revision` or `timeoutMs` passed; the last
 * view either way. The pause grows from 10 ms: a healthy fleet applies a weight within tens of
 * milliseconds, so a fixed 200 ms pause was most of a confirmation's time.
 */
export async function awaitFleet(store: NatsRoutingStore, migration: MigrationId, context: ContextName, revision: number, timeoutMs: number): Promise<FleetView> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    const view = await readFleet(store, migration, context, revision);
    if (view.applied || view.superseded || Date.now() >= deadline) return view;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Why no live process of the target can be taking the context's share, or undefined. A process
 * handles a context when it serves its requests or consumes its updates or events (its record says
 * `handles`); one that only routes to it (a gateway, a caller) does not count. A process that died
 * or lost NATS stops refreshing its record, which lapses within the bucket's TTL. Records of older
 * processes carry no `handles`: with none that says, the fleet cannot tell, and nothing is claimed.
 */
export function missingTargetHandler(records: readonly AppliedRecord[], context: ContextName): string | undefined {
  if (!records.some((record) => record.handles !== undefined)) return undefined;
  if (records.some((record) => record.side === 'target' && record.handles === true)) return undefined;
  const live = records.filter((record) => record.side === 'target').map((record) => record.process);
  return `no live process of the target handles the ${context} context (live target processes: ${live.length === 0 ? 'none' : live.join(', ')}; a handler that died or lost NATS stops renewing its record)`;
}
