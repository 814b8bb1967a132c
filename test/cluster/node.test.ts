/**
 * The chart's future home, first round (issue 23): a one-node Kubernetes cluster of real
 * components (the test bed's node component: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, containerd, the kubelet, kube-proxy, CoreDNS, all built by
 * scripts/setup.d/33-node.sh) runs a Deployment of a locally built image behind a ClusterIP
 * Service, and a Job's pod reaches it by its DNS name: the scheduler, the kubelet, containerd
 * with runc, the pods' bridge, kube-proxy's rules and CoreDNS all did their part. Then
 * `helm install nova charts/nova --wait` with the operator alone: two replicas Ready in pods, the
 * Lease held by one of them through its service-account token and the chart's RBAC.
 *
 * Off unless NOVA_NODE_TESTS=1 (it needs root, and the node's binaries take about 20 minutes to
 * build once): NOVA_NODE_TESTS=1 NOVA_TESTBED_COMPONENTS=nats node … jest.js test/cluster
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findBinary, Stack, startNode, waitFor, type NodeCluster } from '@nova/testbed';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBaseImages, RUNTIME_BASE } from '../ship/support/base-images.js';
import { REPO_ROOT } from '../ship/support/chart.js';
import { runOk } from '../ship/support/command.js';
import { buildah } from '../ship/support/containers.js';

const enabled = process.env.NOVA_NODE_TESTS === '1';
const suite = enabled ? describe : describe.skip;

let stack: Stack | undefined;
let node: NodeCluster;

function kubectl(args: readonly string[], input?: string): Promise<string> {
  const binary = findBinary({ name: 'kubectl', install: 'bash scripts/setup.sh' });
  return runOk(binary, ['--kubeconfig', node.info.kube.kubeconfig, ...args], input === undefined ? {} : { input });
}

async function getJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
}

/** Waits (bounded) for `probe`, and on failure says what the cluster showed. */
async function waitForState(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const failure = await waitFor(probe, { timeoutMs, intervalMs: 500 });
  if (failure !== undefined) {
    const pods = await kubectl(['get', 'pods', '-A', '-o', 'wide']).catch((error: unknown) => String(error));
    const events = await kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp']).catch((error: unknown) => String(error));
    throw new Error(`${what}: ${failure}\n--- pods ---\n${pods}\n--- events ---\n${events.split('\n').slice(-40).join('\n')}`);
  }
}

const NAMESPACE = 'node-test';

function service(image: string): string {
  const server = "require('node:http').createServer((q, r) => r.end(require('node:os').hostname())).listen(8080)";
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NAMESPACE} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
          imagePullPolicy: Never
          command: [node, -e, ${JSON.stringify(server)}]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NAMESPACE} }
spec:
  type: ClusterIP
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}

function clientJob(image: string): string {
  const client = [
    "fetch('http://web/').then((r) => r.text()).then((t) => {",
    "  console.log('answered by ' + t);",
    "  process.exit(t.startsWith('web-') ? 0 : 1);",
    '}, (e) => { console.error(e); process.exit(1); })',
  ].join(' ');
  return `
apiVersion: batch/v1
kind: Job
metadata: { name: client, namespace: ${NAMESPACE} }
spec:
  # One try: everything it needs is waited for before it is created, so a failure is a finding.
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: client
          image: ${image}
          imagePullPolicy: Never
          command: [node, -e, ${JSON.stringify(client)}]
`;
}

const title = 'a one-node Kubernetes cluster of real components (issue 23)';

suite(enabled ? title : `${title} (skipped: set NOVA_NODE_TESTS=1, as root, after NOVA_NODE_TESTS=1 npm run setup)`, () => {
  beforeAll(async () => {
    stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
    node = await startNode(stack);
    // The project's runtime base (Node 24 FROM scratch, test/ship's), exported with its name.
    await buildBaseImages();
    const archive = join(stack.path('images'), 'runtime-base.tar');
    await buildah(['push', RUNTIME_BASE, `docker-archive:${archive}:${RUNTIME_BASE}`]);
    await node.importImage(archive, RUNTIME_BASE);
  }, 15 * 60_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('runs a Deployment behind a ClusterIP Service, reached by its DNS name from a Job', async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    // Pods are refused until the namespace's ServiceAccount exists (the controller-manager makes it).
    await waitForState('the namespace default ServiceAccount', async () => {
      const accounts = await getJson<{ items: unknown[] }>(['serviceaccounts', '-n', NAMESPACE]);
      return accounts.items.length > 0;
    }, 60_000);
    await kubectl(['apply', '-f', '-'], service(RUNTIME_BASE));

    await waitForState('Deployment web Available with 2 replicas', async () => {
      const deployment = await getJson<{ status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] } }>(['deployment', 'web', '-n', NAMESPACE]);
      return deployment.status?.availableReplicas === 2
        && (deployment.status.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
    }, 180_000);

    // kube-proxy programs a Service's endpoints a moment after they are ready: wait for both in
    // the node's own rules before the client asks.
    await waitForState('kube-proxy rules for both web endpoints', async () => {
      const rules = await node.runInNode('iptables-save', ['-t', 'nat']);
      return rules.split('\n').filter((line) => line.startsWith('-A KUBE-SEP-') && line.includes(`${NAMESPACE}/web`) && line.includes('DNAT')).length === 2;
    }, 60_000);
    await kubectl(['apply', '-f', '-'], clientJob(RUNTIME_BASE));
    let outcome: { succeeded?: number; failed?: number } = {};
    await waitForState('Job client finished', async () => {
      const job = await getJson<{ status?: { succeeded?: number; failed?: number } }>(['job', 'client', '-n', NAMESPACE]);
      outcome = job.status ?? {};
      return (outcome.succeeded ?? 0) + (outcome.failed ?? 0) > 0;
    }, 180_000);
    // Its log comes through the apiserver from the kubelet (the link's other direction).
    const log = await kubectl(['logs', 'job/client', '-n', NAMESPACE]);
    expect({ succeeded: outcome.succeeded ?? 0, failed: outcome.failed ?? 0, log })
      .toEqual({ succeeded: 1, failed: 0, log: expect.stringMatching(/^answered by web-[a-z0-9]+-[a-z0-9]+$/m) });

    const nodes = await getJson<{ items: { metadata: { name: string }; spec?: { podCIDR?: string } }[] }>(['nodes']);
    expect(nodes.items.map((n) => n.metadata.name)).toEqual([node.info.nodeName]);
    expect(nodes.items[0]?.spec?.podCIDR).toBe('10.244.0.0/24');
  }, 10 * 60_000);

  // The operator alone for now: the services need NATS and PostgreSQL reachable from the pods
  // (the next round). The image is test/ship/images.test.ts's, from the shared build storage.
  it('installs the chart with helm --wait: the operator runs its two replicas in pods, one holding the Lease', async () => {
    const image = 'localhost/nova/operator:test';
    const listed = await buildah(['images', '--format', '{{.Name}}:{{.Tag}}']);
    if (!listed.split('\n').includes(image)) {
      throw new Error(`${image} is not in the build storage: run test/ship/images.test.ts first (it builds every deployable's image)`);
    }
    const archive = join(stack?.path('images') ?? '', 'operator.tar');
    await buildah(['push', image, `docker-archive:${archive}:${image}`]);
    await node.importImage(archive, image);

    const services = ['nova-monolith', 'webhook-gateway', 'user-service', 'bot-service', 'publisher-service', 'payment-service', 'admin-panel', 'notification-service'];
    const values = {
      image: { registry: 'localhost', tag: 'test', pullPolicy: 'Never' },
      services: Object.fromEntries(services.map((name) => [name, { enabled: false }])),
    };
    const valuesFile = join(stack?.path('chart') ?? '', 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const helm = findBinary({ name: 'helm', install: 'bash scripts/setup.sh' });
    await runOk(helm, ['--kubeconfig', node.info.kube.kubeconfig, 'install', 'nova', join(REPO_ROOT, 'charts', 'nova'),
      '-n', 'nova', '--create-namespace', '-f', valuesFile, '--wait', '--timeout', '300s'], { timeoutMs: 360_000 });

    const deployment = await getJson<{ status?: { readyReplicas?: number } }>(['deployment', 'nova-operator', '-n', 'nova']);
    expect(deployment.status?.readyReplicas).toBe(2);
    const pods = await getJson<{ items: { metadata: { name: string } }[] }>(['pods', '-n', 'nova', '-l', 'app.kubernetes.io/name=nova-operator']);
    const podNames = pods.items.map((pod) => pod.metadata.name);
    // The Lease is taken through the pod's own service-account token and the chart's RBAC.
    let holder = '';
    await waitForState('Lease nova-operator held by one of the pods', async () => {
      const lease = await getJson<{ spec?: { holderIdentity?: string } }>(['lease', 'nova-operator', '-n', 'nova']);
      holder = lease.spec?.holderIdentity ?? '';
      return podNames.includes(holder);
    }, 120_000);
    expect(podNames).toHaveLength(2);
    const budget = await getJson<{ status?: { disruptionsAllowed?: number } }>(['pdb', 'nova-operator', '-n', 'nova']);
    expect(budget.status?.disruptionsAllowed).toBe(1);
  }, 10 * 60_000);
});
