/**
 * Every message the notification context sends a person (the subscription reminders, from the
 * main bot), by id, with its arguments. en.ts and ru.ts must define exactly these: checked when
 * the catalogue is made (@nova/i18n's checkCatalogue) and by catalogue.test.ts.
 */
export const NOTIFICATION_SPEC = {
  /** kind: bots, stories, posting; days: 1 (tomorrow) or more; at: the end, a date and time in UTC. */
  'subscription-ending': ['kind', 'days', 'at'],
} as const;

export type NotificationSpec = typeof NOTIFICATION_SPEC;
