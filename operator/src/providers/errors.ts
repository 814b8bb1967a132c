/**
 * Typed provider errors. The engine decides from the class alone what to do: RouteNotFound and
 * InvalidProviderConfig need a person (a condition on the migration, no hot retry); Conflict and
 * DataPlaneError are transient (requeue with backoff).
 */

interface MigrationId {
  readonly namespace: string;
  readonly name: string;
}

export abstract class ProviderError extends Error {
  /** "namespace/name" of the migration the provider was working for. */
  readonly migration: string;

  protected constructor(migration: MigrationId, message: string, options?: ErrorOptions) {
    super(`migration ${migration.namespace}/${migration.name}: ${message}`, options);
    this.migration = `${migration.namespace}/${migration.name}`;
    this.name = new.target.name;
  }
}

/** The object the route lives in (VirtualService, HTTPRoute, primary Ingress, nginx include) is missing. */
export class RouteNotFoundError extends ProviderError {
  constructor(
    migration: MigrationId,
    /** e.g. "VirtualService nova/nova", "route for /webhook/ in VirtualService nova/nova". */
    readonly what: string,
    options?: ErrorOptions,
  ) {
    super(migration, `${what} not found`, options);
  }
}

/** Someone else kept changing the object between our read and our write; nothing was clobbered. */
export class RouteConflictError extends ProviderError {
  constructor(
    migration: MigrationId,
    readonly object: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(migration, `${object} kept changing under us; gave up after ${attempts} attempts without writing`, options);
  }
}

/** The migration's provider block, or what the route object holds, cannot be used as is. */
export class InvalidProviderConfigError extends ProviderError {
  constructor(migration: MigrationId, readonly reason: string, options?: ErrorOptions) {
    super(migration, reason, options);
  }
}

/** The data plane refused what we wrote (apiserver validation, `nginx -t`, a failed reload). */
export class DataPlaneRejectedError extends ProviderError {
  constructor(
    migration: MigrationId,
    readonly object: string,
    /** The data plane's own words (apiserver status message, nginx's stderr). */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(migration, `${object} rejected the change: ${detail}`, options);
  }
}

/** The data plane could not be reached (a NATS server down, a request timing out); nothing is known to be written. */
export class DataPlaneUnavailableError extends ProviderError {
  constructor(migration: MigrationId, readonly object: string, options?: ErrorOptions) {
    super(migration, `${object} is unreachable: ${describeCause(options?.cause)}`, options);
  }
}

/**
 * The weight is written but not yet applied by every live process of the fleet (the nats
 * provider): it is not confirmed, and the reconciler retries until it is or the laggards drop out.
 */
export class WeightNotAppliedError extends ProviderError {
  constructor(
    migration: MigrationId,
    readonly weight: number,
    /** The processes still routing by an older weight, e.g. "user-service.pod-1.7 (30%)". */
    readonly lagging: readonly string[],
    readonly waitedMs: number,
  ) {
    super(migration, `${String(weight)}% is written but after ${String(waitedMs)} ms ${String(lagging.length)} process(es) still route by an older weight: ${lagging.slice(0, 5).join(', ')}${lagging.length > 5 ? ', ...' : ''}`);
  }
}

/** The cause in one line, without the credentials a server URL may carry (nats://user:password@host). */
function describeCause(cause: unknown): string {
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : cause === undefined ? 'no answer' : JSON.stringify(cause);
  return text.replace(/\/\/[^/@\s]+@/gu, '//***@');
}

/** `spec.trafficProvider` names no provider, several, or one this operator does not know. */
export class UnknownProviderError extends Error {
  constructor(readonly keys: readonly string[], readonly known: readonly string[]) {
    super(
      keys.length === 1
        ? `unknown traffic provider "${keys[0] ?? ''}" (known: ${known.join(', ')})`
        : `spec.trafficProvider must name exactly one provider, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
    this.name = 'UnknownProviderError';
  }
}

/** A provider cannot be built in this operator (e.g. the nginx provider without an nginx instance configured). */
export class ProviderSetupError extends Error {
  constructor(readonly kind: string, readonly reason: string) {
    super(`traffic provider "${kind}" is not available: ${reason}`);
    this.name = 'ProviderSetupError';
  }
}
