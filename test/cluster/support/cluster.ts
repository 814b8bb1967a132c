/**
 * What a test on the one-node cluster (the test bed's node component) does with it: kubectl and
 * helm against its own apiserver, bounded waits that say what the cluster showed when they fail,
 * and the project's images (test/ship's `localhost/nova/<name>:test`) handed to its containerd.
 */
import { findBinary, waitFor, type NodeCluster, type Stack } from '@nova/testbed';
import { join } from 'node:path';
import { runOk } from '../../ship/support/command.js';
import { buildah } from '../../ship/support/containers.js';

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
    throw new Error(`${said}: ${failure}\n--- pods ---\n${pods}\n--- events ---\n${events.split('\n').slice(-40).join('\n')}`);
  };
  return { kubectl, helm, getJson, waitForState };
}

/** A deployable's image as test/ship/images.test.ts builds it into the shared build storage. */
export function projectImage(deployable: string): string {
  return `localhost/nova/${deployable}:test`;
}

/**
 * Exports each image from the build storage (`buildah push … docker-archive:`, which keeps the
 * name) and imports it into the node's containerd, two at a time (export and import are mostly
 * disk work; more at once only queue on the two cores). Fails naming the test that builds them
 * when one is missing: building nine images is test/ship's job (about 10 minutes), not this one's.
 */
export async function importProjectImages(stack: Stack, node: NodeCluster, deployables: readonly string[]): Promise<void> {
  const listed = new Set((await buildah(['images', '--format', '{{.Name}}:{{.Tag}}'])).split('\n'));
  const missing = deployables.map(projectImage).filter((image) => !listed.has(image));
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not in the build storage: run test/ship/images.test.ts first (it builds every deployable's image)`);
  }
  const queue = [...deployables];
  const worker = async (): Promise<void> => {
    for (let deployable = queue.shift(); deployable !== undefined; deployable = queue.shift()) {
      const image = projectImage(deployable);
      const archive = join(stack.path('images'), `${deployable}.tar`);
      await buildah(['push', image, `docker-archive:${archive}:${image}`]);
      await node.importImage(archive, image);
    }
  };
  await Promise.all([worker(), worker()]);
}
