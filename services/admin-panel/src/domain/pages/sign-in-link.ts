import { html, type Html } from '../html.js';
import { BASE, page } from './layout.js';

/**
 * The page a one-time link opens: it asks the admin to press a button, and only that POST uses the
 * link. Telegram's link previews and the scanners that fetch links in messages make GET requests;
 * were the GET to sign in, they would use the link up before the admin opened it.
 */
export function signInLinkPage(view: { readonly token: string; readonly name: string }): Html {
  return page({ title: 'Sign in' }, html`
    <h1>Sign in</h1>
    <p>The main bot sent this link to <strong>${view.name}</strong>. It signs in once.</p>
    <form method="post" action="${BASE}auth/link">
      <input type="hidden" name="t" value="${view.token}">
      <button type="submit">Sign in as ${view.name}</button>
    </form>
  `);
}

/** Why a link does not sign in, and what to do instead. */
export type LinkRefusal = 'invalid' | 'used' | 'not-admin';

const REFUSALS: Readonly<Record<LinkRefusal, string>> = {
  'invalid': 'This sign-in link is not valid or has expired.',
  'used': 'This sign-in link was already used: each one signs in once.',
  'not-admin': 'This Telegram account is not an admin of Nova.',
};

export function linkRefusedPage(reason: LinkRefusal): Html {
  return page({ title: 'Sign in' }, html`
    <h1>Sign in</h1>
    <p class="errors" role="alert">${REFUSALS[reason]}</p>
    <p>Send <code>/admin</code> to the main bot for a new link.</p>
  `);
}
