import { html, type Html } from '../html.js';
import { words } from '../texts.js';
import { BASE, page, type Visit } from './layout.js';

/**
 * The page a one-time link opens: it asks the admin to press a button, and only that POST uses the
 * link. Telegram's link previews and the scanners that fetch links in messages make GET requests;
 * were the GET to sign in, they would use the link up before the admin opened it.
 */
export function signInLinkPage(visit: Visit, view: { readonly token: string; readonly name: string }): Html {
  const { t } = words(visit.locale);
  return page({ ...visit, title: t('sign-in-title') }, html`
    <h1>${t('sign-in-title')}</h1>
    <p>${t('link-sent-to', { name: view.name })}</p>
    <form method="post" action="${BASE}auth/link">
      <input type="hidden" name="t" value="${view.token}">
      <button type="submit">${t('link-button', { name: view.name })}</button>
    </form>
  `);
}

/** Why a link does not sign in, and what to do instead. */
export type LinkRefusal = 'invalid' | 'used' | 'not-admin';

export function linkRefusedPage(visit: Visit, reason: LinkRefusal): Html {
  const { t } = words(visit.locale);
  const why = reason === 'invalid' ? t('link-invalid') : reason === 'used' ? t('link-used') : t('not-admin');
  return page({ ...visit, title: t('sign-in-title') }, html`
    <h1>${t('sign-in-title')}</h1>
    <p class="errors" role="alert">${why}</p>
    <p>${t('link-ask-again')}</p>
  `);
}
