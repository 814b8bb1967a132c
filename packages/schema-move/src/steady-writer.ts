/**
 * Load for the tests and the benchmark (not used by the engine): each target writes one row at a
 * time, at a steady pace, on its own connection, and records every write it got acknowledged and
 * how long each took. A swap that holds its locks shows as one long write; a lost write as an
 * acknowledged key missing from the table afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface WriteTarget {
  /** e.g. `user_service login → user_service.users`. */
  readonly label: string;
  readonly url: string;
  /** The INSERT for write number `n` (its values must carry `keyOf(n)`). */
  readonly insert: (n: number) => { text: string; values: unknown[] };
  /** The table's name in the legacy schema and its key column, to find the rows afterwards. */
  readonly table: string;
  readonly keyColumn: string;
  readonly keyOf: (n: number) => string;
}

export interface WriteSample {
  readonly target: string;
  readonly key: string;
  /** performance.now() when the write was sent and when it was acknowledged. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface WriteFailure {
  readonly target: string;
  readonly key: string;
  readonly message: string;
}

export interface SteadyWriterOptions {
  /** Pause between one target's writes, ms (default 5). */
  readonly pauseMs?: number;
  /** Upper bound on the run, whatever happens (default 10 min). */
  readonly maxRunMs?: number;
  /** Upper bound on writes per target (default 1,000,000). */
  readonly maxWrites?: number;
}

export class SteadyWriter {
  readonly samples: WriteSample[] = [];
  readonly failures: WriteFailure[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];

  private constructor(private readonly clients: { target: WriteTarget; client: pg.Client }[]) {}

  static async start(targets: readonly WriteTarget[], options: SteadyWriterOptions = {}): Promise<SteadyWriter> {
    const clients: { target: WriteTarget; client: pg.Client }[] = [];
    for (const target of targets) {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      clients.push({ target, client });
    }
    const writer = new SteadyWriter(clients);
    const deadline = performance.now() + (options.maxRunMs ?? 600_000);
    writer.loops = clients.map(({ target, client }, index) => writer.loop(target, client, index, deadline, options));
    return writer;
  }

  /** Writes acknowledged so far, per target. */
  acknowledged(target?: string): number {
    return this.samples.filter((s) => target === undefined || s.target === target).length;
  }

  /** Resolves once every target has `count` more acknowledged writes than now (bounded by `timeoutMs`). */
  async progress(count: number, timeoutMs = 30_000): Promise<void> {
    const start = new Map(this.clients.map(({ target }) => [target.label, this.acknowledged(target.label)]));
    const deadline = performance.now() + timeoutMs;
    while (this.clients.some(({ target }) => this.acknowledged(target.label) < (start.get(target.label) ?? 0) + count)) {
      if (performance.now() > deadline) throw new Error(`the writer made no progress of ${String(count)} writes per target in ${String(timeoutMs)} ms`);
      await sleep(10);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map(({ client }) => client.end()));
  }

  /** The longest write that overlapped [from, to] (performance.now() times), ms. */
  longestWriteDuring(from: number, to: number): number {
    let longest = 0;
    for (const s of this.samples) if (s.endedAt >= from && s.startedAt <= to) longest = Math.max(longest, s.endedAt - s.startedAt);
    return longest;
  }

  private async loop(target: WriteTarget, client: pg.Client, index: number, deadline: number, options: SteadyWriterOptions): Promise<void> {
    const maxWrites = options.maxWrites ?? 1_000_000;
    for (let n = index * maxWrites; n < (index + 1) * maxWrites && !this.stopping && performance.now() < deadline; n += 1) {
      const key = target.keyOf(n);
      const startedAt = performance.now();
      try {
        await client.query(target.insert(n));
        this.samples.push({ target: target.label, key, startedAt, endedAt: performance.now() });
      } catch (error) {
        this.failures.push({ target: target.label, key, message: (error as Error).message });
      }
      await sleep(options.pauseMs ?? 5);
    }
  }
}
