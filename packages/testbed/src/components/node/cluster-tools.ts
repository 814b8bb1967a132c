/**
 * What a test or the demo does with the one-node cluster (the node component): kubectl and helm
 * against its own apiserver, and bounded waits that say what the cluster showed when they fail.
 */
import { findBinary } from '../../binaries.js';
import { runOk } from '../../command.js';
import { waitFor } from '../../wait.js';
import type { NodeCluster } from './node.js';

/** A bounded wait on the cluster that ran out, with what the cluster showed (pods, the last events). */
export class ClusterWaitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterWaitError';
  }
}

export interface ClusterTools {
  kubectl(args: readonly string[], input?: string): Promise<string>;
  helm(args: readonly string[]): Promise<string>;
  getJson<T>(args: readonly string[]): Promise<T>;
  /**
   * Waits (bounded) for `probe`; on failure, throws with the pods and the last events. `abortReason`
   * ends the wait early when it names a reason (the state waited for can no longer come).
   */
  waitForState(what: string | (() => string), probe: () => Promise<boolean>, timeoutMs: number, abortReason?: () => string | undefined): Promise<void>;
}

export function clusterTools(node: NodeCluster): ClusterTools {
  const kubeconfig = node.info.kube.kubeconfig;
  const kubectl = (args: readonly string[], input?: string): Promise<string> =>
    runOk(findBinary({ name: 'kubectl', install: 'bash scripts/setup.sh' }), ['--kubeconfig', kubeconfig, ...args], input === undefined ? {} : { input });
  const helm = (args: readonly string[]): Promise<string> =>
    runOk(findBinary({ name: 'helm', install: 'bash scripts/setup.sh' }), ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 360_000 });
  const getJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
  const waitForState = async (what: string | (() => string), probe: () => Promise<boolean>, timeoutMs: number, abortReason?: () => string | undefined): Promise<void> => {
    const failure = await waitFor(probe, { timeoutMs, intervalMs: 500, ...(abortReason === undefined ? {} : { abortReason }) });
    if (failure === undefined) return;
    const said = typeof what === 'string' ? what : what();
    const pods = await kubectl(['get', 'pods', '-A', '-o', 'wide']).catch((error: unknown) => String(error));
    const events = await kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp']).catch((error: unknown) => String(error));
    throw new ClusterWaitError(`${said}: ${failure}\n--- pods ---\n${pods}\n--- events ---\n${events.split('\n').slice(-40).join('\n')}`);
  };
  return { kubectl, helm, getJson, waitForState };
}
