import { AdminSignInLinks, adminSignInUrl } from '@nova/domain';

/**
 * The main bot's /admin: a one-time sign-in link to the admin panel, for the admins named in the
 * configuration only (the same list as the panel's). The link is made here and signed under the
 * panel's session key (@nova/domain's AdminSignInLinks); the panel checks it and records its use,
 * so it signs in once, on whichever side of the stage-8 canary it is opened.
 */

/** What the main bot sends an admin. */
export interface AdminLinkOffer {
  readonly url: string;
  /** How long it stays usable, in whole minutes (for the message). */
  readonly minutes: number;
}

/** Who asks, as Telegram names them. */
export interface AdminLinkAsker {
  readonly id: bigint;
  readonly firstName: string;
  readonly username: string | undefined;
}

export interface AdminSignInDesk {
  /** A fresh link for an admin; undefined for anyone else. */
  linkFor(asker: AdminLinkAsker, now: Date): AdminLinkOffer | undefined;
}

export interface AdminSignInOptions {
  readonly admins: ReadonlySet<bigint>;
  /** NOVA_ADMIN_SESSION_KEY's bytes; never logged. */
  readonly sessionKey: Uint8Array;
  /** The panel's public base URL. */
  readonly panelUrl: string;
  readonly ttlMs: number;
}

export function adminSignInDesk(options: AdminSignInOptions): AdminSignInDesk {
  const links = new AdminSignInLinks(options.sessionKey);
  return {
    linkFor(asker, now) {
      if (!options.admins.has(asker.id)) return undefined;
      const name = asker.username === undefined ? (asker.firstName || asker.id.toString()) : `@${asker.username}`;
      const { token } = links.issue(asker.id, name, now, options.ttlMs);
      return { url: adminSignInUrl(options.panelUrl, token), minutes: Math.max(1, Math.floor(options.ttlMs / 60_000)) };
    },
  };
}
