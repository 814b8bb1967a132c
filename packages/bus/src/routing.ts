/**
 * The routing seam (issue 7): the bus asks its Router wherever a side is chosen, so that domain
 * code never knows whether a chat is served by the monolith or by the new service.
 *
 *  - publish (events, updates)  → `route()` picks the side; `address()` its subject
 *  - request                    → the same, for `svc.<context>.<method>`
 *  - consumer / server binding  → `bindingSubject()` the subject (or filter) the side listens on
 *  - a message arriving         → `subjectOf()` gives handlers the contract subject back
 *  - events                     → `eventRoute()` stamps the side per consuming context at publish,
 *                                 `accepts()` lets a consumer skip what was meant for the other side
 *
 * `ownSideRouter` (the default) changes nothing. `KvRouter` (routing/kv-router.ts) routes by the
 * weights the operator writes into the NATS KV bucket `nova_routing` (Decided 11).
 */
import { contractSubjectOf, sideSubject, type ContextName } from '@nova/contracts';
import type { Side } from '@nova/platform';

/** What is routed: a bounded context (`user`, `bot`, ...) or `telegram` (updates). */
export type RoutingScope = string;

export interface Router {
  /** The side that handles a message of `scope` about `routingKey` (undefined: no key). */
  route(scope: RoutingScope, routingKey: string | undefined): Side;
  /** The subject to send to for `side`. */
  address(subject: string, side: Side): string;
  /** The subject (or filter) a binding of `side` listens on. */
  bindingSubject(subject: string, side: Side): string;
  /** The contract subject of the subject a message arrived on (the inverse of address). */
  subjectOf(address: string): string;
  /**
   * The value of the Nova-Route header of an event about `routingKey`: the side each consuming
   * context handles it on, decided now (an event has one subject but consumers in several
   * contexts). Undefined: no header.
   */
  eventRoute(routingKey: string | undefined): string | undefined;
  /** Whether a consumer of `context` on `side` handles an event published with `eventRoute` (its header, if any). */
  accepts(context: ContextName, eventRoute: string | undefined, routingKey: string | undefined, side: Side): boolean;
  /**
   * This process handles `context` (serves its requests, consumes its updates or events), not only
   * routes to it: the KvRouter says so in its applied records, where the operator looks for a live
   * target that handles the context. Called by the bus for each such binding.
   */
  handling?(context: ContextName): void;
}

/** Everything to this process's own side, on the contract subjects. */
export function ownSideRouter(side: Side): Router {
  return {
    route: () => side,
    address: (subject) => subject,
    bindingSubject: (subject) => subject,
    subjectOf: (address) => address,
    eventRoute: () => undefined,
    accepts: () => true,
  };
}

/**
 * Everything to one side, on that side's subjects (`svc.<ctx>.*` or `svc.legacy.<ctx>.*`),
 * whatever the weights: for an administrator's tool or a test that must reach the monolith (or
 * the new service) itself while a context is routed.
 */
export function fixedSideRouter(side: Side): Router {
  return {
    route: () => side,
    address: (subject, to) => sideSubject(subject, to),
    bindingSubject: (subject, to) => sideSubject(subject, to),
    subjectOf: (address) => contractSubjectOf(address),
    eventRoute: () => undefined,
    accepts: () => true,
  };
}
