/**
 * `kubectl nova watch`: every migration of the namespace, live. On a terminal the table is
 * redrawn in place on each change; otherwise (a pipe, a test, `-o json`) each change is printed
 * as it happens: the whole table again, or one JSON line `{type, migration}`.
 */
import type { NovaMigration } from '../api/novamigration.js';
import { key, WatchExpiredError, type MigrationClient } from './client.js';
import { summarize, table } from './render.js';

export interface WatchOptions {
  readonly json: boolean;
  readonly withNamespace: boolean;
  readonly tty: boolean;
  readonly timeoutMs?: number;
  readonly write: (text: string) => void;
}

const CLEAR = '\u001b[H\u001b[2J';

export async function watch(client: MigrationClient, options: WatchOptions): Promise<void> {
  const known = new Map<string, NovaMigration>();
  const replaceAll = (migrations: readonly NovaMigration[]): void => {
    known.clear();
    for (const migration of migrations) known.set(key(migration), migration);
  };
  const snapshot = await client.snapshot();
  replaceAll(snapshot.items);
  const render = (): void => {
    const rows = [...known.values()].sort((a, b) => key(a).localeCompare(key(b)));
    const stamp = `Every change, live (Ctrl-C to stop) — ${new Date().toISOString()}`;
    options.write(options.tty ? `${CLEAR}${stamp}\n\n${table(rows, options.withNamespace)}` : `${table(rows, options.withNamespace)}\n`);
  };
  const show = (): void => {
    if (options.json) for (const migration of known.values()) options.write(JSON.stringify({ type: 'EXISTING', migration: summarize(migration) }));
    else render();
  };
  show();
  // Where the watch goes on: the snapshot's version, then the last one seen; undefined: list again.
  let resourceVersion: string | undefined = snapshot.resourceVersion;
  const controller = new AbortController();
  const stop = (): void => { controller.abort(); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs);
  const onChange = (type: string, migration: NovaMigration): void => {
    if (type === 'DELETED') known.delete(key(migration));
    else known.set(key(migration), migration);
    if (options.json) options.write(JSON.stringify({ type, migration: summarize(migration) }));
    else render();
  };
  try {
    // The apiserver ends every watch after a while; a live view watches again, from where it was, until stopped.
    while (!controller.signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          const fresh = await client.snapshot();
          replaceAll(fresh.items);
          show();
          resourceVersion = fresh.resourceVersion;
        }
        resourceVersion = await client.watch(resourceVersion, onChange, controller.signal);
      } catch (error) {
        if (error instanceof WatchExpiredError) {
          resourceVersion = undefined;
          continue;
        }
        process.stderr.write(`watch interrupted (${error instanceof Error ? error.message : String(error)}); watching again\n`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
