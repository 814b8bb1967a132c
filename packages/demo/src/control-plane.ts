/**
 * The parts of the fleet that are infrastructure: the test bed's real components (kube-apiserver
 * + etcd with the CRDs, NATS JetStream, PostgreSQL, Prometheus, Jaeger), the nginx that plays the
 * ingress (its split rewritten by the operator's nginx provider), and the operator itself as a
 * process pointed at the local control plane.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { addScrapeTarget, freePort, httpOk, startTestbed, SupervisedProcess, type Ingress, type Stack, type Testbed, type TestbedInfo } from '@nova/testbed';
import { join } from 'node:path';

export interface ControlPlane {
  readonly bed: Testbed;
  readonly info: Required<Omit<TestbedInfo, 'nginx'>> & { nginx: NonNullable<TestbedInfo['nginx']> };
  readonly kubeConfig: KubeConfig;
}

/**
 * The folder goes with the stop, --keep or not: --keep keeps things running, not their files.
 * NOVA_TESTBED_KEEP=1 keeps the folder (every process's log) after the stop, as it does for jest.
 */
export async function startControlPlane(): Promise<ControlPlane> {
  const bed = await startTestbed({ components: ['kube', 'nats', 'postgres', 'prometheus', 'nginx', 'jaeger'], keep: process.env.NOVA_TESTBED_KEEP === '1' });
  const { kube, nats, postgres, prometheus, nginx, jaeger } = bed.info;
  if (kube === undefined || nats === undefined || postgres === undefined || prometheus === undefined || nginx === undefined || jaeger === undefined) {
    await bed.stop();
    throw new Error('the test bed did not start every component the demo needs');
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kube.kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['nova', 'nova-system']) await core.createNamespace({ body: { metadata: { name } } });
  return { bed, info: { stackDir: bed.info.stackDir, kube, nats, postgres, prometheus, nginx, jaeger }, kubeConfig };
}

export interface OperatorProcess {
  readonly process: SupervisedProcess;
  readonly opsUrl: string;
}

/**
 * Stage 7's steps on one machine: the operator's process runner (`nova-schema-move` from the build
 * as its child) with the migration login, backups in a folder of the demo's stack. `tamper` is the
 * engine's test-only fault hook (NOVA_SCHEMA_MOVE_TEST_TAMPER, packages/schema-move/src/test-faults.ts):
 * --fail 7's row changed behind the verifier's back; nothing in a cluster sets it.
 */
export interface LocalSchemaMove {
  /** postgresql:// URL of a login that owns the tables (a secret: only the operator's environment holds it). */
  readonly databaseUrl: string;
  readonly backupDir: string;
  readonly tamper?: { readonly schema: string; readonly sql: string };
}

/** The operator as it runs in production (operator/dist/main.js), with the nginx provider and the local Prometheus. */
export async function startOperator(stack: Stack, repoRoot: string, plane: ControlPlane, ingress: Ingress, natsUrl: string, schemaMove: LocalSchemaMove): Promise<OperatorProcess> {
  const port = await freePort();
  const opsUrl = `http://127.0.0.1:${String(port)}`;
  const process = await SupervisedProcess.start(stack, {
    name: 'nova-operator',
    command: globalThis.process.execPath,
    args: [join(repoRoot, 'operator/dist/main.js')],
    env: {
      KUBECONFIG: plane.info.kube.kubeconfig,
      NOVA_OPERATOR_NAMESPACE: 'nova-system',
      NOVA_IDENTITY: 'demo-operator',
      NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`,
      NOVA_PROMETHEUS_ADDRESS: plane.info.prometheus.url,
      NOVA_NATS_URL: natsUrl,
      NOVA_SCHEMA_MOVE_RUNNER: 'process',
      NOVA_SCHEMA_MOVE_DATABASE_URL: schemaMove.databaseUrl,
      NOVA_SCHEMA_MOVE_BACKUP_DIR: schemaMove.backupDir,
      ...(schemaMove.tamper === undefined ? {} : { NOVA_SCHEMA_MOVE_TEST_TAMPER: JSON.stringify(schemaMove.tamper) }),
      ...ingress.operatorEnv,
    },
    ready: () => httpOk(`${opsUrl}/readyz`),
    readyTimeoutMs: 60_000,
  });
  addScrapeTarget(plane.info.prometheus, 'nova-operator', `127.0.0.1:${String(port)}`, { job: 'nova-operator' });
  return { process, opsUrl };
}
