/**
 * The seam for issue 7 (routing by chat between the monolith and the new services). Nothing is
 * routed yet: the default router sends every message to the process's own side. The bus asks
 * the router at the three places the decision will live, and carries the routing key (the chat
 * id) on every message about a chat so the decision can be made per message later:
 *
 *  - publish (events, updates)     → `route()` picks the side; `address()` will pick its subject
 *  - request                       → the same, for `svc.<context>.<method>`
 *  - consumer / server binding     → `bindingSubject()` will pick the side's subject to listen on
 *
 * Issue 7 replaces `ownSideRouter` with a router that watches the weights in a NATS KV bucket
 * and hashes the routing key; `address`/`bindingSubject` then map to side-specific subjects.
 */
import type { Side } from '@nova/platform';

/** What is routed: a bounded context (`user`, `bot`, ...) or Telegram updates. */
export type RoutingScope = string;

export interface Router {
  /** The side that handles a message of `scope` about `routingKey` (undefined: no key). */
  route(scope: RoutingScope, routingKey: string | undefined): Side;
  /** The subject to send to for `side` (identity until issue 7 gives sides their own subjects). */
  address(subject: string, side: Side): string;
  /** The subject (or filter) a binding of `side` listens on. */
  bindingSubject(subject: string, side: Side): string;
}

/** Everything to this process's own side, on the contract subjects. */
export function ownSideRouter(side: Side): Router {
  return {
    route: () => side,
    address: (subject) => subject,
    bindingSubject: (subject) => subject,
  };
}
