/**
 * Why a context refused a request, as a reason code a caller can word for the person who asked
 * (the main bot for an owner, the admin panel for an admin), in that person's language. The
 * refusing side puts the code in its ServiceError's `details.reason` and each argument below in
 * `details` under its name (as text), so the words never travel: the monolith and the services
 * word a refusal from this one catalogue, and alike.
 *
 * Field checks every context shares (@nova/domain's validate) are the `field-*` codes; the rest
 * are the publisher context's (posts, channels, stories, announcements, grants) and the payments
 * context's refusals of an admin's grant (the admin panel words them).
 */
export const REFUSALS = {
  // @nova/domain's field checks: `field` is the request's field (content.text, caption, …).
  'field-required': ['field'],
  'field-nul': ['field'],
  'field-too-long': ['field', 'max'],
  'field-malformed': ['field'],
  'field-telegram-id': ['field'],
  'field-chat-id': ['field'],
  // A post's content (svc.publisher.create_post, update_post).
  'content-missing': [],
  'text-blank': [],
  'entity-type': ['position'],
  'entity-outside': ['position'],
  'entity-url': ['position'],
  'button-row-size': ['row', 'max'],
  'buttons-too-many': ['max'],
  'no-chats': [],
  'too-many-chats': ['max'],
  'chat-listed-twice': ['chat'],
  'time-invalid': [],
  'time-past': [],
  // Channels (link_channel, unlink_channel) and the bots they are linked through.
  'not-a-channel': [],
  'bot-not-found': ['bot'],
  'bot-not-yours': ['bot'],
  'chat-linked-by-another': ['chat'],
  'bot-cannot-see-chat': ['bot', 'chat'],
  'bot-no-access': ['bot', 'chat'],
  'bot-not-admin': ['bot', 'title'],
  'bot-cannot-post': ['bot', 'title'],
  'chat-not-linked': ['chat'],
  // Posts (create_post, update_post, cancel_post).
  'no-posting-subscription': [],
  'post-not-found': ['post'],
  /** `status`: published, publishing or cancelled; `action`: edit or cancel. */
  'post-not-scheduled': ['post', 'status', 'action'],
  'post-started': ['post', 'action'],
  'post-cancelled': ['post'],
  // Stories (post_story).
  'no-stories-subscription': [],
  'story-kind': [],
  'story-period': [],
  'business-connection-missing': ['bot'],
  'business-connection-gone': ['bot'],
  'business-no-story-right': ['bot'],
  // Announcements (announce, announcement_status): `version` is `text` or a language code.
  'announcement-empty': ['version'],
  'announcement-too-long': ['version', 'length', 'max'],
  'announcement-nul': ['version'],
  'announcement-broken-character': ['version'],
  'translation-language': ['language'],
  'admin-required': [],
  'idempotency-key': ['max'],
  'announcement-not-found': ['announcement'],
  // Requests of processes, not people (list_due, publish_due, grant_posting), worded all the same.
  'limit-range': ['max'],
  'due-before-too-far': [],
  'post-ids-too-many': ['max'],
  'until-required': [],
  'until-past': [],
  // The payments context's refusals of an admin's grant (svc.payment.grant).
  'plan-not-found': ['plan'],
  'effect-key-reused': [],
  // Telegram's own refusals of a send an owner can act on (a report's failed channel, a story),
  // recognised from its description (wordTelegramFailure); any other keeps Telegram's words.
  'telegram-kicked': [],
  'telegram-not-member': [],
  'telegram-no-right': [],
  'telegram-chat-not-found': [],
  'telegram-blocked': [],
} as const;

export type RefusalSpec = typeof REFUSALS;
export type RefusalReason = keyof RefusalSpec;
/** A refusal's arguments, each as text (they travel in ServiceError.details, a map of strings). */
export type RefusalArguments<R extends RefusalReason> = { readonly [Name in RefusalSpec[R][number]]: string };
