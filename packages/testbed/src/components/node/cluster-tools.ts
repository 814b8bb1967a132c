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

/**
 * A helm command that waited on the cluster (`--wait`) and failed, with what the cluster showed:
 * helm's own message names only the first object not ready ("Available: 1/2"), and the pods that
 * would say why are gone with the node's teardown by the time anyone reads the log.
 */
export class HelmWaitError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'HelmWaitError';
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
  const runHelm = (args: readonly string[]): Promise<string> =>
    runOk(findBinary({ name: 'helm', install: 'bash scripts/setup.sh' }), ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 360_000 });
  const helm = async (args: readonly string[]): Promise<string> => {
    try {
      return await runHelm(args);
    } catch (error) {
      if (!args.includes('--wait')) throw error;
      throw new HelmWaitError(`${messageOf(error)}\n${await describeCluster(kubectl, { logsOfUnready: true })}`, error);
    }
  };
  const getJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
  const waitForState = async (what: string | (() => string), probe: () => Promise<boolean>, timeoutMs: number, abortReason?: () => string | undefined): Promise<void> => {
    const failure = await waitFor(probe, { timeoutMs, intervalMs: 500, ...(abortReason === undefined ? {} : { abortReason }) });
    if (failure === undefined) return;
    const said = typeof what === 'string' ? what : what();
    throw new ClusterWaitError(`${said}: ${failure}\n${await describeCluster(kubectl, { logsOfUnready: false })}`);
  };
  return { kubectl, helm, getJson, waitForState };
}

/** A failure's whole message (kubectl's and helm's output included: nothing cut, unlike a log line's). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface PodList {
  readonly items: readonly {
    readonly metadata: { readonly name: string; readonly namespace: string };
    readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
  }[];
}

/** Pods not Ready (their Ready condition absent or not True), as namespace and name. */
export function unreadyPods(list: PodList): { namespace: string; name: string }[] {
  return list.items
    .filter((pod) => pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status !== 'True')
    .map((pod) => ({ namespace: pod.metadata.namespace, name: pod.metadata.name }));
}

/**
 * The pods, the last 40 events and, when asked, the last lines each container of a pod not Ready
 * printed (this run's and the one before a restart): what a person would type to see why a wait
 * ran out. Each part that cannot be read says why in its place rather than hiding the rest.
 */
async function describeCluster(kubectl: (args: readonly string[]) => Promise<string>, options: { readonly logsOfUnready: boolean }): Promise<string> {
  const pods = await kubectl(['get', 'pods', '-A', '-o', 'wide']).catch(messageOf);
  const events = await kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp']).catch(messageOf);
  const parts = [`--- pods ---\n${pods}`, `--- events ---\n${events.split('\n').slice(-40).join('\n')}`];
  if (options.logsOfUnready) {
    const list = await kubectl(['get', 'pods', '-A', '-o', 'json']).then((text) => JSON.parse(text) as PodList).catch(() => ({ items: [] }));
    for (const { namespace, name } of unreadyPods(list).slice(0, 8)) {
      for (const previous of [false, true]) {
        const logs = await kubectl(['logs', '-n', namespace, name, '--all-containers', '--tail=30', ...(previous ? ['--previous'] : [])]).catch(messageOf);
        // A pod that never restarted has no previous run ("previous terminated container … not found").
        if (previous && /not found/i.test(logs)) continue;
        parts.push(`--- logs of ${namespace}/${name}${previous ? ' (the run before its restart)' : ''} ---\n${logs.trimEnd()}`);
      }
    }
  }
  return parts.join('\n');
}
