/**
 * The weights a process routes by, and the routing decision itself (pure: no I/O, so it is
 * cheap per message and testable without NATS). KvRouter keeps it up to date from the bucket.
 *
 * A message about a chat goes to the target when the chat's bucket (chat-hash.ts) is below the
 * weight of the context that handles it; a message without a chat (a keyless request) goes to
 * the target with probability weight/100, since there is no conversation to keep on one side.
 * No weight known for a context means 0: until its migration starts, the monolith serves it.
 */
import { CONTEXTS, isContextName, type ContextName } from '@nova/contracts';
import type { Side } from '@nova/platform';
import { routingBucket } from './chat-hash.js';

export interface ContextWeight {
  readonly weight: number;
  /** The nova_routing revision it came from (0: never written). */
  readonly revision: number;
}

export interface RoutingTableOptions {
  /** The context whose handlers process Telegram updates (scope `telegram`). Default `bot`. */
  readonly updatesContext?: ContextName;
  /** For keyless messages; Math.random by default. */
  readonly random?: () => number;
}

const NONE: ContextWeight = { weight: 0, revision: 0 };

export class RoutingTable {
  private readonly weights = new Map<ContextName, ContextWeight>();
  private readonly updatesContext: ContextName;
  private readonly random: () => number;

  constructor(options: RoutingTableOptions = {}) {
    this.updatesContext = options.updatesContext ?? 'bot';
    this.random = options.random ?? Math.random;
  }

  /** Takes `weight` for `context` unless what is held came from a later revision; true when taken. */
  set(context: ContextName, weight: number, revision: number): boolean {
    const held = this.weights.get(context);
    if (held !== undefined && held.revision >= revision) return false;
    this.weights.set(context, { weight, revision });
    return true;
  }

  get(context: ContextName): ContextWeight {
    return this.weights.get(context) ?? NONE;
  }

  /** Every context with a weight written, and that weight. */
  entries(): [ContextName, ContextWeight][] {
    return [...this.weights.entries()];
  }

  /** The context whose weight decides `scope` (a context name, or `telegram` for updates); undefined: not routed. */
  contextOf(scope: string): ContextName | undefined {
    if (scope === 'telegram') return this.updatesContext;
    return isContextName(scope) ? scope : undefined;
  }

  side(scope: string, routingKey: string | undefined): Side {
    const context = this.contextOf(scope);
    return context === undefined ? 'legacy' : this.sideIn(context, routingKey);
  }

  sideIn(context: ContextName, routingKey: string | undefined): Side {
    const { weight } = this.get(context);
    if (weight <= 0) return 'legacy';
    if (weight >= 100) return 'target';
    const draw = routingKey === undefined ? Math.floor(this.random() * 100) : routingBucket(context, routingKey);
    return draw < weight ? 'target' : 'legacy';
  }

  /** `user=target,bot=legacy,...`: the side of every context for an event about `routingKey`. */
  eventRoute(routingKey: string | undefined): string {
    return CONTEXTS.map((context) => `${context}=${this.sideIn(context, routingKey)}`).join(',');
  }

  /**
   * Whether a consumer of `context` on `side` handles an event. With a Nova-Route header, the side
   * decided at publish (a message already stored keeps the side it was meant for, whatever the
   * weight is now); without one (a publisher that does not route), the weight now.
   */
  accepts(context: ContextName, eventRoute: string | undefined, routingKey: string | undefined, side: Side): boolean {
    const stamped = eventRoute === undefined ? undefined : stampedSide(eventRoute, context);
    return (stamped ?? this.sideIn(context, routingKey)) === side;
  }
}

/** The side a Nova-Route header gives `context`; legacy when it names the others only, undefined when it is not one. */
export function stampedSide(eventRoute: string, context: ContextName): Side | undefined {
  let valid = false;
  for (const pair of eventRoute.split(',')) {
    const [name, side] = pair.split('=');
    if (side !== 'legacy' && side !== 'target') return undefined;
    valid = true;
    if (name === context) return side;
  }
  return valid ? 'legacy' : undefined;
}
