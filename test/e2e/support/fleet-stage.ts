/**
 * What every stage's e2e test does the same way: people whose chats give the first step target
 * traffic, applying an adapted stage file with kubectl, and reading a number from Prometheus.
 */
import { expect } from '@jest/globals';
import { routingBucket } from '@nova/bus';
import type { ContextName } from '@nova/contracts';
import type { RunningDeployable } from '@nova/fleet';
import type { UserSpec } from '@nova/telegram-emulator';
import { component, prometheusNumber } from '@nova/testbed';
import { join } from 'node:path';
import { kubectl } from '../../operator/support/kubectl.js';
import { writeStage, type StageDocument } from './stages.js';

/**
 * `size` people with consecutive ids from `firstBase` on, from the first base where at least
 * `underFive` of them fall under weight 5 of `context`: the stage's first step then carries enough
 * target traffic for its analysis step (5 % of a dozen people is often none). The real hash's buckets.
 */
export function canaryPopulation(context: ContextName, size: number, underFive: number, firstBase: number, namePrefix: string): UserSpec[] {
  for (let base = firstBase; ; base += size) {
    const ids = Array.from({ length: size }, (_, index) => base + index);
    if (ids.filter((id) => routingBucket(context, String(id)) < 5).length >= underFive) return ids.map((id, index) => ({ id, first_name: `${namePrefix} ${String(index + 1)}` }));
  }
}

/** The port of a fleet process on loopback, for a stage file's nginx sides. */
export function loopbackPort(running: RunningDeployable): number {
  return Number(running.address.split(':')[1]);
}

/** `kubectl apply -f` of the stage as written into `dir`; fails the test unless kubectl exits 0. */
export async function applyStage(stage: StageDocument, dir: string): Promise<void> {
  const result = await kubectl(component('kube').kubeconfig, ['apply', '-f', writeStage(stage, join(dir, `${stage.metadata.name}.yaml`))]);
  expect(result).toMatchObject({ code: 0 });
}

/** A number from the test bed's Prometheus (0 when the query has no series; a refused query throws). */
export function promNumber(query: string): Promise<number> {
  return prometheusNumber(component('prometheus').url, query);
}
