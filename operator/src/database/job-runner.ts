/**
 * Runs a database step as a Kubernetes Job (a cluster): the image spec.database.job names, the
 * migration login as the container's DATABASE_URL from the Secret the spec names — a reference
 * the kubelet resolves; the operator never reads the Secret (its RBAC has no Secrets). The result
 * is the CLI's JSON, which the container writes to /dev/termination-log; the operator reads it from
 * the pod's termination message once the Job is Complete or Failed.
 *
 * Crash-safe by name: a step's Job is named after the migration, its run and the step (RunRequest.id),
 * so an operator restarted while a Job runs finds that Job and waits for it instead of starting a
 * second one. The Job is owned by its migration (garbage-collected with it) and never retried by
 * Kubernetes (backoffLimit 0): whether a failed step is run again is the operator's decision, from
 * status.
 *
 * A Job that never finishes (a pod no node runs, a statement stuck behind a lock the CLI's own
 * timeouts do not cover) must not hold the migration forever: each Job carries
 * `activeDeadlineSeconds` (10 min by default, as the process runner's timeout), after which
 * Kubernetes stops its pod and marks it Failed with reason DeadlineExceeded; the runner answers that
 * as a failed step, so the engine rolls back and reverses what was moved (a swap is one
 * transaction: a killed one changed nothing).
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { isNotFound, KubeOperationError } from '../kube/api-errors.js';
import { cliArguments, parseCliResult, planOf, type RunOutcome, type RunRequest, type SchemaMoveRunner, SchemaMoveRunnerConfigError } from './operation.js';

/** Where Nova's images keep the CLI (every deployable's image carries @nova/schema-move through @nova/wiring). */
export const CLI_IN_IMAGE = '/app/node_modules/@nova/schema-move/dist/cli.js';
export const BACKUP_MOUNT = '/backups';
export const CONTAINER = 'schema-move';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export interface JobRunnerOptions {
  /** How long to wait before looking at a running Job again (default 2 s). */
  readonly pollMs?: number;
  /** Each Job's activeDeadlineSeconds (default DEFAULT_DEADLINE_SECONDS). */
  readonly deadlineSeconds?: number;
}

/** As long as the process runner lets a step run (process-runner.ts, 10 min). */
export const DEFAULT_DEADLINE_SECONDS = 600;

/** A DNS label (a Job's name becomes its pods' label value): at most 63 characters, a hash keeps long ones apart. */
export function jobName(migration: string, id: string): string {
  const name = `${migration}-${id}`.toLowerCase().replace(/[^a-z0-9-]/gu, '-');
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/u, '')}-${hash}`;
}

export function jobFor(request: RunRequest, name: string, deadlineSeconds = DEFAULT_DEADLINE_SECONDS): V1Job {
  const migration = request.migration;
  const job = migration.spec.database.job;
  if (job === undefined) throw new SchemaMoveRunnerConfigError('spec.database.job is required: this operator runs database steps as Jobs (NOVA_SCHEMA_MOVE_RUNNER=job)');
  if (request.operation.kind === 'backup' && job.backupClaim === undefined) throw new SchemaMoveRunnerConfigError('the backup step needs spec.database.job.backupClaim (a PersistentVolumeClaim the dump is written to)');
  const labels = { 'app.kubernetes.io/managed-by': 'nova-operator', 'novabot.io/migration': migration.metadata?.name ?? '' };
  const args = [...cliArguments(request, BACKUP_MOUNT), '--plan-json', JSON.stringify(planOf(migration)), '--result-file', '/dev/termination-log'];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: migration.metadata?.namespace ?? '',
      labels,
      ownerReferences: [{ apiVersion: migration.apiVersion ?? 'novabot.io/v1alpha1', kind: migration.kind ?? 'NovaMigration', name: migration.metadata?.name ?? '', uid: migration.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: deadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(job.serviceAccountName === undefined ? {} : { serviceAccountName: job.serviceAccountName }),
          containers: [{
            name: CONTAINER,
            image: job.image,
            command: ['node', CLI_IN_IMAGE],
            args,
            env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: job.loginSecret.name, key: job.loginSecret.key } } }],
            terminationMessagePolicy: 'File',
            ...(job.backupClaim === undefined ? {} : { volumeMounts: [{ name: 'backups', mountPath: BACKUP_MOUNT }] }),
          }],
          ...(job.backupClaim === undefined ? {} : { volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: job.backupClaim } }] }),
        },
      },
    },
  };
}

function finished(job: V1Job): { type: 'Complete' | 'Failed'; reason?: string } | undefined {
  for (const condition of job.status?.conditions ?? []) {
    if (condition.status === 'True' && (condition.type === 'Complete' || condition.type === 'Failed')) return { type: condition.type, ...(condition.reason === undefined ? {} : { reason: condition.reason }) };
  }
  return undefined;
}

/** The CLI's result line, from the newest pod's termination message. */
function terminationMessage(pods: readonly V1Pod[]): string | undefined {
  const newest = [...pods].sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
  return newest?.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.terminated?.message;
}

export class JobRunner implements SchemaMoveRunner {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig, private readonly options: JobRunnerOptions = {}) {
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const namespace = request.migration.metadata?.namespace ?? '';
    const name = jobName(request.migration.metadata?.name ?? '', request.id);
    const running: RunOutcome = { state: 'running', checkAfterMs: this.options.pollMs ?? 2_000 };
    let job: V1Job | undefined;
    try {
      job = await this.batch.readNamespacedJob({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw new KubeOperationError('read of', `Job ${namespace}/${name}`, error);
    }
    if (job === undefined) {
      const body = jobFor(request, name, this.options.deadlineSeconds);
      try {
        await this.batch.createNamespacedJob({ namespace, body });
      } catch (error) {
        throw new KubeOperationError('create of', `Job ${namespace}/${name}`, error);
      }
      return running;
    }
    const state = finished(job);
    if (state === undefined) return running;
    if (state.type === 'Failed' && state.reason === 'DeadlineExceeded') {
      // Stopped by Kubernetes, whatever its pod said (it was killed, so said nothing it finished).
      const deadline = job.spec?.activeDeadlineSeconds;
      return { state: 'finished', result: { ok: false, name: 'DeadlineExceeded', message: `Job ${name} ran past its deadline (activeDeadlineSeconds ${String(deadline ?? '?')}) and was stopped` } };
    }
    let pods: V1Pod[];
    try {
      pods = (await this.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${name}` })).items;
    } catch (error) {
      throw new KubeOperationError('list of', `the pods of Job ${namespace}/${name}`, error);
    }
    const message = terminationMessage(pods);
    if (message === undefined) return { state: 'finished', result: { ok: false, name: 'NoResult', message: `Job ${name} is ${state.type} but its pod left no termination message` } };
    return { state: 'finished', result: parseCliResult(request.operation, message) };
  }
}
