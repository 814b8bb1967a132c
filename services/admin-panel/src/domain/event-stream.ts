/**
 * Server-sent events as the HTML standard frames them (text/event-stream): an event is `event:`
 * and `data:` lines ended by a blank line; a line starting with `:` is a comment the browser
 * ignores, which keeps proxies from closing an idle stream.
 */

/** One event; `data` may span lines (each becomes its own `data:` line, as the format requires). */
export function sseEvent(name: string, data: string): string {
  if (/[\r\n]/.test(name)) throw new RangeError('an event name cannot contain a line break');
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
  return `event: ${name}\n${lines}\n`;
}

/** A comment: ignored by EventSource, enough traffic for a proxy's idle timeout. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** How long the browser waits before reconnecting after the stream drops. */
export function sseRetry(ms: number): string {
  return `retry: ${String(Math.max(0, Math.floor(ms)))}\n\n`;
}
