/**
 * What a child bot says by itself, by id, with its arguments: only its built-in greeting, which a
 * new bot answers with until its owner writes their own (an owner's greeting is theirs, sent as
 * typed). en.ts and ru.ts must define exactly these: checked when the catalogue is made
 * (@nova/i18n's checkCatalogue) and by catalogue.test.ts.
 */
export const CHILD_BOT_SPEC = {
  /** name: the greeted person's first name (or the owner-visible {name} placeholder). */
  'built-in-greeting': ['name'],
} as const;

export type ChildBotSpec = typeof CHILD_BOT_SPEC;
