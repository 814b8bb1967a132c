/**
 * Telegram refuses a message longer than 4,096 characters (after entities are parsed; counted
 * in UTF-16 code units, as its entity offsets are). A list can grow past it, and a Russian text
 * is longer than its English one, so texts that list things are split here before sending.
 */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Cuts text to at most `limit` UTF-16 units, never between the two halves of a surrogate pair. */
function cutAt(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  const last = text.charCodeAt(limit - 1);
  // A high surrogate as the last unit kept would leave half an emoji: keep one unit less.
  return last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
}

/**
 * The text in pieces of at most `limit` units, split between lines (the newline dropped at a
 * split); a single line longer than the limit is cut, never inside a surrogate pair. Only the
 * newlines (and blank lines) at the splits are dropped: no piece is empty.
 */
export function splitForTelegram(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  if (limit < 2) throw new RangeError(`a message limit of ${String(limit)} cannot hold a surrogate pair`);
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current !== '') pieces.push(current);
    current = '';
  };
  for (let line of text.split('\n')) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    while (line.length > limit) {
      const end = cutAt(line, limit);
      pieces.push(line.slice(0, end));
      line = line.slice(end);
    }
    current = line;
  }
  flush();
  return pieces;
}

/** The text cut to fit one message, ending in "…" when cut (never half an emoji). */
export function truncateForTelegram(text: string, limit = TELEGRAM_MESSAGE_LIMIT, ellipsis = '…'): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, cutAt(text, limit - ellipsis.length))}${ellipsis}`;
}
