/**
 * The one interface every traffic provider implements (ARCHITECTURE.md, Decided 9). The engine
 * only ever talks to this interface and to the registry, so adding a provider (the bus-level
 * `nats` one, say) means one new file and one registry entry, never an engine change.
 *
 * Shaped after Flagger's router interface (Reconcile / SetRoutes / GetRoutes / Finalize), with
 * one difference that is the point of Nova: a provider owns ONE route of a shared object, never
 * the whole object, so two migrations on two paths of one VirtualService / HTTPRoute / nginx
 * move independently (Flagger's issue #1688).
 */
import { InvalidProviderConfigError } from './errors.js';

/** A Kubernetes Service (or, for plain nginx, a host name or address) and its port. */
export interface ServiceRef {
  readonly service: string;
  readonly port: number;
}

/** The HTTP route a migration moves: requests for `host` whose path starts with `pathPrefix`. */
export interface RouteMatch {
  /** Absent means "whatever host the route object serves". */
  readonly host?: string;
  readonly pathPrefix: string;
}

/**
 * What a provider needs to know about one migration. Deliberately smaller than the CRD's types,
 * so providers do not depend on the generated spec and can be driven by anything (tests, a CLI).
 */
export interface ProviderMigration {
  readonly namespace: string;
  readonly name: string;
  /** The NovaMigration's uid: owner references point at it. */
  readonly uid: string;
  /** The HTTP route; absent for a bus migration (nats), which moves a context instead (see httpRoute). */
  readonly route?: RouteMatch;
  readonly legacy: ServiceRef;
  readonly target: ServiceRef;
  /** The value under this provider's key in `spec.trafficProvider`, checked by the provider itself. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * status.weightFence: grows with every status write that changes the desired weight. A provider
   * that can store it beside the weight (nats) refuses a write whose fence is below the stored
   * one, so a stale leader cannot overwrite a newer weight even after re-reading the data plane.
   */
  readonly fence?: number;
}

/**
 * What to leave behind when a migration is deleted (its finalizer runs `finalize`):
 * `restoreLegacy` sends 100 % of the route to legacy; `leaveAsIs` keeps the current split
 * (e.g. a promoted migration whose route should stay on the new service).
 */
export type FinalizePolicy = 'restoreLegacy' | 'leaveAsIs';

/** The split the data plane currently has for the route. */
export interface WeightReading {
  /** Percent of requests sent to the target (0–100); legacy gets the rest. */
  readonly weight: number;
  /**
   * False when the data plane's numbers are not the pair the operator writes (legacy = 100 - w),
   * e.g. someone edited them by hand; `weight` is then the target's share, rounded. The engine
   * treats it as drift and writes its own weight again.
   */
  readonly exact: boolean;
}

export interface TrafficProvider {
  /** The key under `spec.trafficProvider`: istio, ingressNginx, gatewayAPI, nginx, ... */
  readonly kind: string;
  /**
   * Makes the migration's route exist without moving traffic: creates it at weight 0 when absent,
   * leaves the current weight alone when present; or, where the migration asks for it (istio and
   * gatewayAPI `createRoute: WithFirstWeight`: the route is an item of an object many migrations
   * share, and each write of it costs the whole object), only checks that it can be made and leaves
   * the creation to the first `setWeight`. Idempotent; the engine calls it on every reconcile
   * before any other method. Throws RouteNotFoundError when the object the route lives in
   * (VirtualService, primary Ingress, HTTPRoute) does not exist.
   */
  ensureRoute(migration: ProviderMigration): Promise<void>;
  /** Sends `weight` % of the route to the target and 100 - weight % to legacy. Idempotent. */
  setWeight(migration: ProviderMigration, weight: number): Promise<void>;
  /**
   * What the data plane has now, for resuming after a restart and for drift detection; undefined
   * when the route does not exist yet (ensureRoute was never called, or someone removed it); with
   * `createRoute: WithFirstWeight`, `{ weight: 0, exact: true }` while the object exists without
   * it: the target gets nothing.
   */
  readWeight(migration: ProviderMigration): Promise<WeightReading | undefined>;
  /** Runs once when the migration is deleted; see FinalizePolicy. Succeeds when nothing is left to do. */
  finalize(migration: ProviderMigration, policy: FinalizePolicy): Promise<void>;
  /**
   * What the data plane itself knows about the target's side, beside the analysis' metrics: a
   * reason the target cannot be taking its share (no live target process handles the context),
   * or undefined when it can or the provider cannot tell. A reason fails the analysis check.
   */
  targetProblem?(migration: ProviderMigration): Promise<string | undefined>;
  /** Releases what the provider holds open (a NATS connection) when the operator stops. */
  close?(): Promise<void>;
}

/** Rejects anything but an integer percent: a provider never writes a weight it was not meant to. */
export function checkWeight(migration: ProviderMigration, weight: number): number {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new InvalidProviderConfigError(migration, `weight must be an integer from 0 to 100, got ${String(weight)}`);
  }
  return weight;
}

/** The HTTP route an HTTP provider moves; admission demands it for them, this is the defensive check. */
export function httpRoute(migration: ProviderMigration): RouteMatch {
  if (migration.route === undefined) throw new InvalidProviderConfigError(migration, 'spec.route is required for an HTTP traffic provider');
  return migration.route;
}

/** Reads a required non-empty string from a provider's config block. */
export function configString(migration: ProviderMigration, key: string): string {
  const value = migration.config[key];
  if (typeof value !== 'string' || value === '') {
    throw new InvalidProviderConfigError(migration, `trafficProvider config needs a non-empty string "${key}"`);
  }
  return value;
}

/**
 * The name a provider gives what it creates for a migration (an Istio route, a Gateway API rule,
 * a canary Ingress). Route objects live in the migration's namespace, so the name is unique there.
 */
export function managedName(migration: Pick<ProviderMigration, 'name'>): string {
  return `nova-${migration.name}`;
}

/** "namespace/name", for messages. */
export function migrationKey(migration: Pick<ProviderMigration, 'namespace' | 'name'>): string {
  return `${migration.namespace}/${migration.name}`;
}
