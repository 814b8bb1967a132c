/**
 * A post as the owner writes it to the main bot, one message: the command's first line, then the
 * post's text, formatted as Telegram lets anyone format a message (bold, links, …: the message's
 * entities), and under it optional rows of link buttons, one row per line:
 *
 *   /post all in 2h photo https://example.com/sale.jpg
 *   **Sale** today, see the shop.          ← the text (its entities kept)
 *   [Shop](https://example.com) [Help](https://example.com/help)
 *
 * `photo <https link>` on the first line makes it a photo post with the text as its caption (a
 * link, not a photo sent to the main bot: Telegram's file ids belong to the bot that received the
 * file, and the owner's own bot sends the post). Telegram counts entity offsets in UTF-16 code
 * units, as JavaScript strings do, so they move with the text's start here unchanged in kind.
 */

import type { MessageEntity } from 'telegraf/types';

/** A message entity as the Bot API gives it. */
export type TelegramEntity = MessageEntity;

export interface LinkButton {
  readonly text: string;
  readonly url: string;
}

/** The post's content, as the publisher takes it (its limits are the publisher's to check). */
export interface PostDraft {
  readonly text: string;
  readonly entities: readonly TelegramEntity[];
  /** An http(s) link to the photo; the text is then its caption (and may be empty). */
  readonly photo?: string;
  readonly buttons: readonly (readonly LinkButton[])[];
}

const PHOTO_URL = /^https?:\/\/\S+$/iu;
const BUTTON = /\[([^\]\n]{1,64})\]\(((?:https?|tg):\/\/[^\s)]+)\)/gu;
const BUTTON_ROW = /^\s*(?:\[[^\]\n]{1,64}\]\((?:https?|tg):\/\/[^\s)]+\)\s*)+$/u;

/** The first line's words after the command, and the draft below it; undefined when `photo` has no link. */
export function readDraft(message: string, entities: readonly TelegramEntity[] = []): { readonly words: string[]; readonly draft: PostDraft } | undefined {
  const newline = message.indexOf('\n');
  const words = (newline < 0 ? message : message.slice(0, newline)).trim().split(/\s+/u).slice(1);
  let photo: string | undefined;
  const at = words.findIndex((word) => word.toLowerCase() === 'photo');
  if (at >= 0) {
    photo = words[at + 1];
    if (photo === undefined || !PHOTO_URL.test(photo)) return undefined;
    words.splice(at, 2);
  }
  const rest = newline < 0 ? '' : message.slice(newline + 1);
  const start = newline < 0 ? message.length : newline + 1 + (rest.length - rest.trimStart().length);
  const lines = message.slice(start).split('\n');
  const rows: LinkButton[][] = [];
  while (lines.length > 0 && BUTTON_ROW.test(lines.at(-1) ?? '')) {
    rows.unshift([...(lines.pop() ?? '').matchAll(BUTTON)].map((match) => ({ text: match[1] ?? '', url: match[2] ?? '' })));
  }
  const text = lines.join('\n').trimEnd();
  const end = start + text.length;
  const kept = entities
    .filter((entity) => entity.offset >= start && entity.offset + entity.length <= end)
    .map((entity) => ({ ...entity, offset: entity.offset - start }));
  return { words, draft: { text, entities: kept, ...(photo === undefined ? {} : { photo }), buttons: rows } };
}

/** A draft with something to post: text, or a photo. */
export function hasContent(draft: PostDraft): boolean {
  return draft.text !== '' || draft.photo !== undefined;
}
