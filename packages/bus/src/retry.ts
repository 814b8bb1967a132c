import { backoffSchedule } from '@nova/resilience';
import { BusConfigError } from './errors.js';
import type { RetryPolicy } from './types.js';

export const RETRY_DEFAULTS = {
  maxDeliver: 5,
  backoffMs: backoffSchedule(5, 1_000, 16_000),
  ackWaitMs: 10_000,
} as const;

export interface ResolvedRetry {
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
}

export function resolveRetry(policy: RetryPolicy, name: string): ResolvedRetry {
  const resolved = {
    maxDeliver: policy.maxDeliver ?? RETRY_DEFAULTS.maxDeliver,
    backoffMs: policy.backoffMs ?? RETRY_DEFAULTS.backoffMs,
    ackWaitMs: policy.ackWaitMs ?? RETRY_DEFAULTS.ackWaitMs,
  };
  if (!Number.isInteger(resolved.maxDeliver) || resolved.maxDeliver < 1) throw new BusConfigError(`consumer ${name}: maxDeliver must be an integer >= 1`);
  if (resolved.backoffMs.length === 0 || resolved.backoffMs.some((ms) => !(ms >= 0))) throw new BusConfigError(`consumer ${name}: backoffMs must be a non-empty list of delays >= 0`);
  if (!(resolved.ackWaitMs >= 1_000)) throw new BusConfigError(`consumer ${name}: ackWaitMs must be at least 1000`);
  return resolved;
}

/** The wait after the `deliveryCount`-th failed attempt (the list's last entry repeats). */
export function retryDelay(backoffMs: readonly number[], deliveryCount: number): number {
  return backoffMs[Math.min(Math.max(deliveryCount - 1, 0), backoffMs.length - 1)] ?? 0;
}

const DURABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkDurableName(name: string): void {
  if (!DURABLE_NAME.test(name)) throw new BusConfigError(`consumer name "${name}" must be 1-64 letters, digits, '-' or '_' (it names a JetStream durable)`);
}
