/**
 * The operator as it runs in production: its built entry point (operator/dist/main.js, which
 * `npm test` builds first) in its own process, configured through the environment, with the
 * least-privilege identity operator/rbac describes (a client certificate bound to those roles),
 * never the test's admin. Tests kill it with SIGKILL to play a crash.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { component, freePort, httpOk, type Stack, SupervisedProcess, writeKubeconfigForUser } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { createNamespace, deleteNamespace, suffix } from './kube.js';

const RBAC_DIR = new URL('../../../operator/rbac/', import.meta.url);
const MAIN = new URL('../../../operator/dist/main.js', import.meta.url).pathname;

export interface OperatorIdentity {
  /** A kubeconfig file for the operator's user. */
  readonly kubeconfigPath: string;
  /** Where its Lease lives. */
  readonly operatorNamespace: string;
  /** The ClusterRole (operator/rbac/clusterrole.yaml, made unique) this identity is bound to. */
  readonly clusterRoleName: string;
  cleanup(): Promise<void>;
}

/** An RBAC document as YAML gives it: plain data, not the client's model classes. */
interface RbacDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

function rbacDocuments(file: string): RbacDocument[] {
  return parseAllDocuments(readFileSync(new URL(file, RBAC_DIR), 'utf8')).map((doc) => doc.toJS() as RbacDocument);
}

/** Creates the operator's namespace, its roles from operator/rbac (made unique per test file) and a user bound to them. */
export async function operatorIdentity(admin: KubeConfig, stack: Stack): Promise<OperatorIdentity> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  const operatorNamespace = await createNamespace(admin, 'nova-system');
  const id = suffix();
  const user = `nova-operator-${id}`;
  const [clusterRole] = rbacDocuments('clusterrole.yaml');
  const [role] = rbacDocuments('leader-election-role.yaml');
  if (clusterRole === undefined || role === undefined) throw new Error('operator/rbac is missing its roles');
  const clusterRoleName = `nova-operator-${id}`;
  const subjects = [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }];
  const created: KubernetesObject[] = [
    { ...clusterRole, metadata: { ...clusterRole.metadata, name: clusterRoleName } },
    { ...role, metadata: { ...role.metadata, namespace: operatorNamespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: clusterRoleName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName }, subjects,
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'nova-operator-leader-election', namespace: operatorNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name }, subjects,
    } as KubernetesObject,
  ];
  for (const object of created) await api.create(object);
  const kubeconfigPath = await writeKubeconfigForUser(component('kube'), stack.path(), user);
  return {
    kubeconfigPath,
    operatorNamespace,
    clusterRoleName,
    cleanup: async () => {
      for (const object of created.reverse()) await api.delete(object).catch(() => undefined);
      await deleteNamespace(admin, operatorNamespace);
    },
  };
}

/** The scaled-down election of the tests that kill an operator and wait for the next to lead. */
export const SCALED_DOWN_ELECTION = ['3s', '2s', '500ms'] as const;

export interface OperatorOptions {
  /** Its identity in the Lease, and the name of its log file. */
  readonly name: string;
  /** The namespace whose migrations it manages (tests run side by side). */
  readonly watchNamespace: string;
  /**
   * Leader election (lease/renew/retry). Absent or 'defaults': the operator's production defaults
   * (15 s / 10 s / 2 s). A test that kills an operator and waits for the next one to lead passes
   * SCALED_DOWN_ELECTION, so the takeover costs 3 s rather than 15 s; no other test should, because
   * an operator exits when it misses its renew deadline, and under heavy load (fc17 beside other
   * engineers' suites, load average 30 on two cores) a 2 s deadline was missed and ended the
   * operator of kubectl-nova.test.ts in the middle of its tests.
   */
  readonly election?: readonly [string, string, string] | 'defaults';
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Whether startOperator waits for /readyz (the default) or returns once the process is spawned: an
   * operator that may SIGKILL itself at its first status write can be gone before /readyz answers.
   */
  readonly waitUntilReady?: boolean;
}

export interface RunningOperator {
  readonly process: SupervisedProcess;
  /** http://127.0.0.1:<port> of its /metrics, /healthz, /readyz. */
  readonly opsUrl: string;
}

export async function startOperator(stack: Stack, identity: OperatorIdentity, options: OperatorOptions): Promise<RunningOperator> {
  const port = await freePort();
  const opsUrl = `http://127.0.0.1:${String(port)}`;
  const election: Record<string, string> = options.election === undefined || options.election === 'defaults' ? {} : {
    NOVA_LEASE_DURATION: options.election[0], NOVA_RENEW_DEADLINE: options.election[1], NOVA_RETRY_PERIOD: options.election[2],
  };
  const process = await SupervisedProcess.start(stack, {
    name: options.name,
    command: globalThis.process.execPath,
    args: [MAIN],
    env: {
      KUBECONFIG: identity.kubeconfigPath,
      NOVA_OPERATOR_NAMESPACE: identity.operatorNamespace,
      NOVA_WATCH_NAMESPACE: options.watchNamespace,
      NOVA_IDENTITY: options.name,
      NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`,
      ...election,
      NOVA_LOG_LEVEL: 'debug',
      ...options.env,
    },
    ready: options.waitUntilReady === false ? () => Promise.resolve(true) : () => httpOk(`${opsUrl}/readyz`),
    stopTimeoutMs: 10_000,
  });
  return { process, opsUrl };
}

/**
 * The operator's own trail of one migration's status writes (its debug log: the phase change and
 * the resourceVersion each decision was computed from), for a failure message that shows who
 * stored a phase a test did not expect.
 */
export function statusTrail(operator: RunningOperator, namespace: string, name: string): string {
  const key = `"migration":"${namespace}/${name}"`;
  const lines = readFileSync(operator.process.logPath, 'utf8').split('\n').filter((line) => line.includes(key) && line.includes('"status written"'));
  return lines.slice(-12).join('\n');
}

/**
 * What an operator last did, for a failure message: whether it still runs (or how it ended) and
 * its last log lines' messages with the fields that place them (step, phase and the resourceVersions
 * each status write went from and to, boundary, error).
 */
export function operatorTail(operator: RunningOperator, lines = 20): string {
  const state = operator.process.ending ?? 'running';
  const tail = readFileSync(operator.process.logPath, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(-lines).map((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const fields = ['step', 'phase', 'resourceVersion', 'boundary', 'leader', 'error', 'code', 'ms'].filter((field) => entry[field] !== undefined).map((field) => `${field}=${JSON.stringify(entry[field])}`);
      return `  ${typeof entry.time === 'string' ? `${entry.time} ` : ''}${String(entry.msg)}${fields.length === 0 ? '' : ` ${fields.join(' ')}`}`;
    } catch {
      return `  ${line.slice(0, 300)}`;
    }
  });
  return `${operator.process.spec.name} (${state}):\n${tail.join('\n')}`;
}
