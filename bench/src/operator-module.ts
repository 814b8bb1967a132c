/**
 * The operator the benchmark drives: operator/dist by default, or another build of it named by
 * BENCH_OPERATOR (the path of its dist/operator.js), so a before/after comparison runs both
 * builds in the same period on the same bed. Only what every build had is used.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Operator, OperatorConfig } from '../../operator/dist/operator.js';

/** Builds before the caches have no cacheStats. */
export type BenchOperator = Omit<Operator, 'cacheStats'> & { readonly cacheStats?: Operator['cacheStats'] };

const modulePath = process.env.BENCH_OPERATOR;
const loaded = (modulePath === undefined || modulePath === ''
  ? await import('../../operator/dist/operator.js')
  : await import(pathToFileURL(resolve(modulePath)).href)) as { createOperator: (config: OperatorConfig) => Promise<BenchOperator> };

/** Which build this is, for the printout. */
export const OPERATOR_BUILD = modulePath === undefined || modulePath === '' ? 'operator/dist' : modulePath;

export async function startOperator(kubeConfig: KubeConfig, identity: string, watchNamespace: string | undefined, until: (what: string, probe: () => Promise<boolean>, intervalMs: number) => Promise<void>): Promise<BenchOperator> {
  const operator = await loaded.createOperator({ kubeConfig, leaseNamespace: 'nova-system', leaseName: `nova-operator-${watchNamespace ?? 'all'}`, identity, watchNamespace, http: { host: '127.0.0.1', port: 0 } });
  await operator.manager.start();
  await until('leadership', () => Promise.resolve(operator.manager.isLeader()), 20);
  return operator;
}

/** Migrations this operator has reconciled at least once (each reconcile sets its gauges), and reconciles in all. */
export async function reconciled(operator: Pick<Operator, 'metrics'>): Promise<{ distinct: number; total: number }> {
  const distinct = (await operator.metrics.weight.get()).values.length;
  const total = (await operator.metrics.reconcileDuration.get()).values
    .filter((sample) => sample.metricName === 'nova_reconcile_duration_seconds_count')
    .reduce((sum, sample) => sum + sample.value, 0);
  return { distinct, total };
}
