import { describe, expect, it } from '@jest/globals';
import type { HttpStream } from '@nova/platform';
import { MigrationStreams } from './migration-stream.js';
import { migrationRow, type MigrationChange, type MigrationsFeed } from './migrations.js';

/** A feed that replays nothing and passes on what the test sends. */
class Feed implements MigrationsFeed {
  readonly listeners = new Set<(change: MigrationChange) => void>();
  subscribe(listener: (change: MigrationChange) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
  send(change: MigrationChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** Collects what a stream writes; `written(text)` resolves once the stream has written it. */
function sink(): { out: HttpStream; abort: () => void; text: () => string; written: (text: string) => Promise<void> } {
  const controller = new AbortController();
  let text = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const out: HttpStream = {
    signal: controller.signal,
    write(chunk) {
      if (controller.signal.aborted) return false;
      text += chunk;
      for (const wait of waiting.splice(0)) if (text.includes(wait.text)) wait.resolve(); else waiting.push(wait);
      return true;
    },
  };
  return {
    out, text: () => text, abort: () => { controller.abort(); },
    written: (wanted) => (text.includes(wanted) ? Promise.resolve() : new Promise((resolve) => { waiting.push({ text: wanted, resolve }); })),
  };
}

const row = migrationRow({ name: 'm', namespace: 'nova', stage: '8', route: '/admin/', phase: 'Progressing', weight: 5, step: '1', analysis: '—', message: undefined });
const later = new Date(Date.now() + 3_600_000);

describe('MigrationStreams', () => {
  it('streams each change as an event and a heartbeat comment, and lets go of the feed when the client leaves', async () => {
    const feed = new Feed();
    const streams = new MigrationStreams({ feed, maxClients: 5, heartbeatMs: 20 });
    const reply = streams.reply(later, { 'cache-control': 'no-store' });
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    const client = sink();
    const running = reply.stream?.(client.out);
    await client.written('retry: 3000\n\n');
    expect(feed.listeners.size).toBe(1);
    feed.send({ kind: 'row', row });
    await client.written(`event: row\ndata: ${JSON.stringify(row)}\n\n`);
    await client.written(': keep-alive\n\n');
    client.abort();
    await running;
    expect(feed.listeners.size).toBe(0);
    expect(streams.size).toBe(0);
  });

  it('refuses a stream past the bound with 503, and takes one again once a stream ends', async () => {
    const streams = new MigrationStreams({ feed: new Feed(), maxClients: 1, heartbeatMs: 10_000 });
    const first = streams.reply(later, {});
    const client = sink();
    const running = first.stream?.(client.out);
    const refused = streams.reply(later, {});
    expect([refused.status, refused.stream, refused.headers?.['retry-after']]).toEqual([503, undefined, '30']);
    client.abort();
    await running;
    expect(streams.reply(later, {}).status).toBe(200);
  });

  it('ends a stream when its session ends', async () => {
    const feed = new Feed();
    const streams = new MigrationStreams({ feed, maxClients: 1, heartbeatMs: 10_000 });
    const reply = streams.reply(new Date(Date.now() + 30), {});
    await reply.stream?.(sink().out);
    expect(feed.listeners.size).toBe(0);
    expect(streams.size).toBe(0);
  });
});
