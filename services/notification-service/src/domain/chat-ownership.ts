/**
 * Whose work a scheduler does during the notification canary (ARCHITECTURE.md, Decided 13): at
 * weight w of context `notification`, a chat belongs to the target when its routing bucket is
 * below w, exactly as the bus routes (RoutingTable.sideIn). The chat of a due post, a reminder or
 * an expiry is its owner's: the routing key is the owner's Telegram id in decimal, the key every
 * context routes a user's requests by (`{ routingKey: telegramId }`).
 *
 * The weight is read once per snapshot, so the answers for one page of work agree with each
 * other; the jobs take a fresh snapshot right before each page they filter.
 */
import { routingBucket } from '@nova/bus';

export const NOTIFICATION_CONTEXT = 'notification';

export type SchedulerSide = 'legacy' | 'target';

/** The side a chat (its owner's Telegram id) is on at `weight` (0–100) of the notification context. */
export function sideOfChat(weight: number, telegramId: bigint): SchedulerSide {
  if (weight <= 0) return 'legacy';
  if (weight >= 100) return 'target';
  return routingBucket(NOTIFICATION_CONTEXT, telegramId.toString()) < weight ? 'target' : 'legacy';
}

/** The chats one scheduler works, as of one reading of the weight. */
export interface OwnedChats {
  /** Whether the chat whose owner is `telegramId` is this scheduler's. */
  owns(telegramId: bigint): boolean;
  /** No chat is this scheduler's (the target at 0, the legacy side at 100): nothing to list. */
  readonly none: boolean;
  /** For logs and tests: the side and the weight read (undefined weight: every chat). */
  readonly side: SchedulerSide | 'every';
  readonly weight: number | undefined;
}

export interface ChatOwnership {
  snapshot(): OwnedChats;
}

/** A process that does not route (NOVA_ROUTING=off, or no NATS): no canary, every chat is its work. */
export function everyChat(): ChatOwnership {
  const all: OwnedChats = { owns: () => true, none: false, side: 'every', weight: undefined };
  return { snapshot: () => all };
}

/** One side of the canary: the chats the notification weight (read now, by `weight()`) gives it. */
export function sideChats(side: SchedulerSide, weight: () => number): ChatOwnership {
  return {
    snapshot() {
      const now = weight();
      const none = side === 'target' ? now <= 0 : now >= 100;
      return { owns: (telegramId) => !none && sideOfChat(now, telegramId) === side, none, side, weight: now };
    },
  };
}
