/**
 * Between a NovaMigration and its traffic provider: the provider's view of the migration, and how
 * each provider failure shows on the migration (a problem a person must fix, or a transient one).
 */
import { InvalidSpecError, type TrafficMigration } from '../api/novamigration.js';
import { SchemaMoveRunnerConfigError, SchemaMoveRunnerError } from '../database/operation.js';
import { AnalysisConfigError } from '../analysis/analyzer.js';
import { KubeOperationError } from '../kube/api-errors.js';
import {
  DataPlaneRejectedError,
  DataPlaneUnavailableError,
  InvalidProviderConfigError,
  ProviderSetupError,
  RouteConflictError,
  RouteNotFoundError,
  UnknownProviderError,
  WeightNotAppliedError,
  type ProviderMigration,
} from '../providers/index.js';
import { InvalidStepError } from './steps.js';

export function providerMigration(migration: TrafficMigration, config: Readonly<Record<string, unknown>>): ProviderMigration {
  const { namespace = '', name = '', uid = '' } = migration.metadata ?? {};
  const { route, legacy, target } = migration.spec;
  const fence = migration.status?.weightFence;
  return {
    namespace,
    name,
    uid,
    ...(route === undefined ? {} : { route: route.host === undefined ? { pathPrefix: route.pathPrefix } : { host: route.host, pathPrefix: route.pathPrefix } }),
    legacy: { service: legacy.service, port: legacy.port },
    target: { service: target.service, port: target.port },
    config,
    ...(fence === undefined ? {} : { fence }),
  };
}

export interface ClassifiedProblem {
  /** Condition reason. */
  readonly reason: string;
  readonly message: string;
  /**
   * 'fatal': retrying cannot help until the spec (or the operator's configuration) changes; the
   * migration goes to phase Failed. 'retry': the data plane may heal (a route object created
   * later, a conflict, an apiserver hiccup); requeue with backoff, phase unchanged.
   */
  readonly kind: 'fatal' | 'retry';
}

export function classifyProblem(error: unknown): ClassifiedProblem | undefined {
  if (error instanceof UnknownProviderError) return { reason: 'UnknownProvider', message: error.message, kind: 'fatal' };
  if (error instanceof ProviderSetupError) return { reason: 'ProviderUnavailable', message: error.message, kind: 'fatal' };
  if (error instanceof InvalidProviderConfigError) return { reason: 'InvalidProviderConfig', message: error.message, kind: 'fatal' };
  if (error instanceof AnalysisConfigError) return { reason: 'InvalidAnalysis', message: error.message, kind: 'fatal' };
  if (error instanceof InvalidStepError) return { reason: 'InvalidStep', message: error.message, kind: 'fatal' };
  if (error instanceof InvalidSpecError) return { reason: 'InvalidSpec', message: error.message, kind: 'fatal' };
  if (error instanceof SchemaMoveRunnerConfigError) return { reason: 'NoDatabaseRunner', message: error.message, kind: 'fatal' };
  if (error instanceof SchemaMoveRunnerError) return { reason: 'DatabaseRunnerError', message: error.message, kind: 'retry' };
  if (error instanceof RouteNotFoundError) return { reason: 'RouteNotFound', message: error.message, kind: 'retry' };
  if (error instanceof RouteConflictError) return { reason: 'RouteConflict', message: error.message, kind: 'retry' };
  if (error instanceof DataPlaneRejectedError) return { reason: 'DataPlaneRejected', message: error.message, kind: 'retry' };
  if (error instanceof DataPlaneUnavailableError) return { reason: 'DataPlaneUnavailable', message: error.message, kind: 'retry' };
  if (error instanceof WeightNotAppliedError) return { reason: 'WeightNotApplied', message: error.message, kind: 'retry' };
  if (error instanceof KubeOperationError) return { reason: 'ApiError', message: error.message, kind: 'retry' };
  return undefined;
}
