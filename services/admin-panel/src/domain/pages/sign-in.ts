import { html, type Html } from '../html.js';
import { BASE, page } from './layout.js';

export interface SignInView {
  /** Where to go after signing in (already checked to be a page of the panel). */
  readonly next: string;
  /** The main bot's username: shows Telegram's Login Widget (it needs the bot's domain set with @BotFather). */
  readonly botUsername: string | undefined;
  readonly problem?: string;
}

export function signInPage(view: SignInView): Html {
  const authUrl = `${BASE}auth/telegram?next=${encodeURIComponent(view.next)}`;
  const widget = view.botUsername === undefined
    ? html`<p class="muted">Telegram's Login Widget is not set up here (NOVA_ADMIN_BOT_USERNAME). An operator can make a sign-in link with <code>nova-admin-login &lt;your Telegram id&gt;</code>.</p>`
    // Telegram's own widget (its script, its button): it redirects here with the signed data.
    : html`<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-login="${view.botUsername}" data-size="large" data-auth-url="${authUrl}" data-request-access="write"></script>`;
  return page({ title: 'Sign in' }, html`
    <h1>Sign in</h1>
    ${view.problem === undefined ? '' : html`<p class="errors" role="alert">${view.problem}</p>`}
    <p>Only the Telegram accounts named as admins in the panel's configuration may sign in.</p>
    <p>An admin can also send <code>/admin</code> to the main bot: it answers with a link that signs in once.</p>
    ${widget}
  `);
}
