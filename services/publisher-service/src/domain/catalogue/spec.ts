/**
 * Every message the publisher context words for a person (the owner's report of a publication,
 * sent by the main bot), by id, with its arguments. en.ts and ru.ts must define exactly these:
 * checked when the catalogue is made (@nova/i18n's checkCatalogue) and by catalogue.test.ts.
 */
export const PUBLISHER_SPEC = {
  'report-head': ['number', 'sent', 'total'],
  'report-sent-line': ['channel'],
  'report-failed-line': ['channel', 'reason'],
  /** The reason of a channel Telegram refused without a description. */
  'report-not-sent': [],
  /** The closing line of a report too long for one message: what was left out, counted. */
  'report-more-failed': ['failed'],
  'report-more-sent': ['sent'],
  'report-more-failed-sent': ['failed', 'sent'],
} as const;

export type PublisherSpec = typeof PUBLISHER_SPEC;
