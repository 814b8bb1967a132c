/**
 * Which one-time sign-in links were used. A link is single-use across both sides of the stage-8
 * canary and every replica, so the record is one table they all write (admin_panel's, the panel's
 * own schema: the service and the monolith's copy of the pages are the same context and already
 * share it for the audit log). Taking a link is one INSERT of its id; the primary key lets exactly
 * one of any number of concurrent takers through, with no lock or read-then-write race.
 */
import type { AdminSignInToken } from '@nova/domain';
import type { AdminDatabase } from './database.js';

/** How long a used link's row outlives the link: longer than any clock difference between the sides. */
const KEEP_AFTER_EXPIRY_MS = 3_600_000;

export interface SignInLinkLedger {
  /** Records the link as used; true for the first use, false when it was used before (anywhere). */
  take(link: AdminSignInToken, at: Date): Promise<boolean>;
  /** Whether the link was used already (for the confirmation page's message; taking it decides). */
  used(link: AdminSignInToken): Promise<boolean>;
}

export function databaseSignInLinkLedger(db: AdminDatabase): SignInLinkLedger {
  return {
    async take(link, at) {
      const { count } = await db.signInLinkUse.createMany({
        data: [{ tokenId: link.tokenId, adminId: link.adminId, usedAt: at, expiresAt: link.expiresAt }],
        skipDuplicates: true,
      });
      // Rows of long-expired links refuse nothing the expiry does not: forget them as links are used.
      await db.signInLinkUse.deleteMany({ where: { expiresAt: { lt: new Date(at.getTime() - KEEP_AFTER_EXPIRY_MS) } } });
      return count === 1;
    },
    async used(link) {
      return (await db.signInLinkUse.count({ where: { tokenId: link.tokenId } })) > 0;
    },
  };
}
