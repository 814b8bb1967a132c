/**
 * The Job runner of database steps (operator/src/database/job-runner.ts) against the real
 * kube-apiserver, as the operator's own identity (operator/rbac: Jobs and pods' reads, no Secrets).
 * The test bed has no kubelet and no Job controller: nothing runs the Job's pod. So the test plays
 * their part and says so: it writes the Job's status (Complete) and a pod of the Job whose container
 * terminated with the CLI's result as its termination message, as the kubelet would report it.
 *
 * - the first run creates the Job: the image named in the spec, the login as a reference to the
 *   Secret the spec names (the operator never reads it), the CLI's arguments, owned by the migration;
 * - a second run while it runs (after an operator restart, say) finds that Job, creates no other;
 * - once Complete, the result is read from the pod's termination message;
 * - every Job carries activeDeadlineSeconds; one Kubernetes stopped for it (Failed, reason
 *   DeadlineExceeded, written here by the test in the Job controller's place) is a failed step, never
 *   "still running" (the engine then rolls back and reverses: database-engine.test.ts);
 * - the operator's identity may not read Secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthorizationV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Stack } from '@nova/testbed';
import type { DatabaseMigration } from '../../operator/src/api/novamigration.js';
import { JOB_NAME_LABEL, jobName, JobRunner } from '../../operator/src/database/job-runner.js';
import { adminKubeConfig, createNamespace, deleteNamespace, suffix } from './support/kube.js';
import { Migrations } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity } from './support/operator-process.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let asOperator: KubeConfig;

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'stage7job');
  identity = await operatorIdentity(admin, stack);
  asOperator = new KubeConfig();
  asOperator.loadFromFile(identity.kubeconfigPath);
  // No controller-manager here makes the namespace's default ServiceAccount; pods need it to be admitted.
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
});

afterAll(async () => {
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('a database step as a Kubernetes Job', () => {
  it('creates the Job once, with the login by reference, and reads the result from its pod\'s termination message', async () => {
    const migrations = new Migrations(admin, namespace);
    const name = `stage-7-${suffix()}`;
    const migration = (await migrations.create(name, {
      database: {
        contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }],
        job: { image: 'nova/user-service:1.2.3', loginSecret: { name: 'nova-migration-login' }, backupClaim: 'nova-backups' },
      },
      steps: [{ backup: {} }, { moveSchema: { context: 'user' } }],
    })) as DatabaseMigration;
    const runner = new JobRunner(asOperator, { pollMs: 500 });
    const request = { migration, operation: { kind: 'move', context: 'user' } as const, id: 'r0-move-user' };

    expect(await runner.run(request)).toEqual({ state: 'running', checkAfterMs: 500 });
    const batch = admin.makeApiClient(BatchV1Api);
    const job = jobName(name, 'r0-move-user');
    const created = await batch.readNamespacedJob({ namespace, name: job });
    const container = created.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('nova/user-service:1.2.3');
    expect(container?.env).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'nova-migration-login', key: 'url' } } }]);
    expect(container?.args?.slice(0, 3)).toEqual(['move', '--context', 'user_service']);
    expect(created.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'NovaMigration', name, uid: migration.metadata?.uid });

    // Running: a second call (an operator restarted meanwhile) makes no second Job.
    expect(await runner.run(request)).toMatchObject({ state: 'running' });
    expect((await batch.listNamespacedJob({ namespace })).items.map((j) => j.metadata?.name)).toEqual([job]);

    // The kubelet's and the Job controller's part, played by the test (no kubelet here).
    const core = admin.makeApiClient(CoreV1Api);
    const podName = `${job}-abcde`;
    await core.createNamespacedPod({ namespace, body: { metadata: { name: podName, labels: { [JOB_NAME_LABEL]: job } }, spec: { restartPolicy: 'Never', automountServiceAccountToken: false, containers: [{ name: 'schema-move', image: 'nova/user-service:1.2.3' }] } } });
    const result = JSON.stringify({ ok: true, moved: [{ swap: { lockedMs: 7.5 }, verification: { tables: [{ live: { rows: 12 } }] } }] });
    const now = new Date();
    // The pod as stored (a status write with less metadata would drop its labels).
    const pod = await core.readNamespacedPod({ namespace, name: podName });
    await core.replaceNamespacedPodStatus({ namespace, name: podName, body: {
      metadata: pod.metadata, spec: pod.spec,
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'schema-move', image: 'nova/user-service:1.2.3', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', message: result, startedAt: now, finishedAt: now } } }] },
    } });
    const current = await batch.readNamespacedJob({ namespace, name: job });
    await batch.replaceNamespacedJobStatus({ namespace, name: job, body: {
      apiVersion: 'batch/v1', kind: 'Job', metadata: current.metadata, spec: current.spec,
      status: {
        startTime: now, completionTime: now, succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now },
          { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now },
        ],
      },
    } });
    expect(await runner.run(request)).toEqual({ state: 'finished', result: { ok: true, rowsChecked: 12, lockedMs: 7.5 } });
  });

  it('gives each Job a deadline, and answers a Job stopped by it (DeadlineExceeded) as a failed step', async () => {
    const migrations = new Migrations(admin, namespace);
    const name = `stage-7-deadline-${suffix()}`;
    const migration = (await migrations.create(name, {
      database: { contexts: [{ name: 'bot', schema: 'bot_service', tables: ['user_bots'] }], job: { image: 'nova/user-service:1.2.3', loginSecret: { name: 'nova-migration-login' }, backupClaim: 'nova-backups' } },
      steps: [{ backup: {} }, { moveSchema: { context: 'bot' } }],
    })) as DatabaseMigration;
    const runner = new JobRunner(asOperator, { pollMs: 500, deadlineSeconds: 30 });
    const request = { migration, operation: { kind: 'move', context: 'bot' } as const, id: 'r0-move-bot' };
    expect(await runner.run(request)).toMatchObject({ state: 'running' });
    const batch = admin.makeApiClient(BatchV1Api);
    const job = jobName(name, 'r0-move-bot');
    const created = await batch.readNamespacedJob({ namespace, name: job });
    expect(created.spec?.activeDeadlineSeconds).toBe(30);
    // Past the deadline a Job controller stops the pod and marks the Job Failed; there is none here, so the test writes it.
    const started = new Date(Date.now() - 31_000);
    const now = new Date();
    await batch.replaceNamespacedJobStatus({ namespace, name: job, body: {
      apiVersion: 'batch/v1', kind: 'Job', metadata: created.metadata, spec: created.spec,
      status: {
        startTime: started, failed: 1,
        conditions: [
          { type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastProbeTime: now, lastTransitionTime: now },
          { type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastProbeTime: now, lastTransitionTime: now },
        ],
      },
    } });
    expect(await runner.run(request)).toEqual({ state: 'finished', result: { ok: false, name: 'DeadlineExceeded', message: `Job ${job} ran past its deadline (activeDeadlineSeconds 30) and was stopped` } });
  });

  it('is run by an identity that may create Jobs but may not read Secrets', async () => {
    const review = async (resource: string, verb: string, group = '') => {
      const answer = await asOperator.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, group, resource, verb } } } });
      return answer.status?.allowed;
    };
    expect(await review('jobs', 'create', 'batch')).toBe(true);
    expect(await review('pods', 'list')).toBe(true);
    expect(await review('secrets', 'get')).toBe(false);
    expect(await review('pods', 'create')).toBe(false);
  });
});
