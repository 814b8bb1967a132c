/**
 * The migrations page's event stream (GET /admin/migrations/events, behind the session like every
 * page): every row as known now, then each change, as server-sent events. All open pages share
 * the process's one watch (the feed); this only bounds how many streams are open, keeps them
 * alive through proxies with a comment, and ends each when its session does.
 */
import type { HttpReply } from '@nova/platform';
import { sseComment, sseEvent, sseRetry } from './event-stream.js';
import type { MigrationChange, MigrationsFeed } from './migrations.js';

export interface MigrationStreamsOptions {
  readonly feed: MigrationsFeed;
  /** Streams open at once in this process; one more is answered 503 (its page falls back to reloading). */
  readonly maxClients: number;
  /** A comment this often, under the idle timeout of proxies (nginx's default is 60 s). */
  readonly heartbeatMs: number;
  readonly clock?: () => Date;
}

/** How long a browser waits to reconnect after the stream drops (a restart, a proxy's cut). */
const RETRY_MS = 3_000;

export function encodeChange(change: MigrationChange): string {
  return change.kind === 'row' ? sseEvent('row', JSON.stringify(change.row)) : sseEvent('gone', JSON.stringify({ key: change.key }));
}

export class MigrationStreams {
  private open = 0;
  private readonly clock: () => Date;

  constructor(private readonly options: MigrationStreamsOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Streams open now. */
  get size(): number {
    return this.open;
  }

  /** The reply for one page; `until` is when its session ends (the stream ends then too). */
  reply(until: Date, headers: Readonly<Record<string, string>>): HttpReply {
    if (this.open >= this.options.maxClients) {
      return { status: 503, headers: { ...headers, 'retry-after': '30', 'content-type': 'text/plain; charset=utf-8' }, body: 'too many open migration pages\n' };
    }
    this.open++;
    let counted = true;
    const release = (): void => {
      if (counted) this.open--;
      counted = false;
    };
    return {
      status: 200,
      // x-accel-buffering: nginx (the plain-nginx provider) would otherwise hold events back in its buffer.
      headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'x-accel-buffering': 'no' },
      stream: async (out) => {
        try {
          out.write(sseRetry(RETRY_MS));
          const unsubscribe = this.options.feed.subscribe((change) => { out.write(encodeChange(change)); });
          const heartbeat = setInterval(() => { out.write(sseComment('keep-alive')); }, this.options.heartbeatMs);
          const sessionLeft = Math.max(0, until.getTime() - this.clock().getTime());
          let expiry: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            // Past the session's end the browser reconnects, is sent to sign-in, and its page reloads there.
            expiry = setTimeout(resolve, Math.min(sessionLeft, 2 ** 31 - 1));
            if (out.signal.aborted) resolve();
            out.signal.addEventListener('abort', () => { resolve(); }, { once: true });
          });
          clearInterval(heartbeat);
          clearTimeout(expiry);
          unsubscribe();
        } finally {
          release();
        }
      },
    };
  }
}
