import { html, type Html } from '../html.js';
import { words } from '../texts.js';
import { BASE, page, type Visit } from './layout.js';

export interface SignInView {
  /** Where to go after signing in (already checked to be a page of the panel). */
  readonly next: string;
  /** The main bot's username: shows Telegram's Login Widget (it needs the bot's domain set with @BotFather). */
  readonly botUsername: string | undefined;
  readonly problem?: string;
}

export function signInPage(visit: Visit, view: SignInView): Html {
  const { t } = words(visit.locale);
  const authUrl = `${BASE}auth/telegram?next=${encodeURIComponent(view.next)}`;
  const widget = view.botUsername === undefined
    ? html`<p class="muted">${t('sign-in-no-widget')} <code>${t('sign-in-command')}</code></p>`
    // Telegram's own widget (its script, its button, in the language Telegram picks): it redirects here with the signed data.
    : html`<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-login="${view.botUsername}" data-size="large" data-auth-url="${authUrl}" data-request-access="write"></script>`;
  return page({ ...visit, title: t('sign-in-title') }, html`
    <h1>${t('sign-in-title')}</h1>
    ${view.problem === undefined ? '' : html`<p class="errors" role="alert">${view.problem}</p>`}
    <p>${t('sign-in-who')}</p>
    <p>${t('sign-in-via-bot')}</p>
    ${widget}
  `);
}
