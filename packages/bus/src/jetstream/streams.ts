/**
 * The streams, declared in code and ensured idempotently at start (create, or update when the
 * declared settings drifted). TELEGRAM stores each update under
 * `telegram.update.<bot>.<chat>.<partition>`: a stream subject transform appends
 * `partition(n, bot, chat)`, so an ordered consumer can bind one durable per partition with one
 * message in flight (max_ack_pending 1) and keep every chat's order across all replicas of a
 * service, while partitions run in parallel (Decided 3). The bus strips the token again:
 * handlers, dead letters and replays see the contract subject.
 */
import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { STREAM_SUBJECTS, STREAMS } from '@nova/contracts';
import type { Logger } from '@nova/platform';
import { BusConfigError } from '../errors.js';

export interface StreamSettings {
  /** How long a msgID is remembered for de-duplication. */
  readonly duplicateWindowMs: number;
  readonly maxAgeMs: number;
}

export const STREAM_SETTINGS = {
  // Events are republished by redelivered handlers within the retry schedule (about a minute).
  NOVA: { duplicateWindowMs: 10 * 60_000, maxAgeMs: 7 * 24 * 3_600_000 },
  // Telegram retries a webhook it got no 2xx for; an hour covers its schedule with room.
  TELEGRAM: { duplicateWindowMs: 60 * 60_000, maxAgeMs: 7 * 24 * 3_600_000 },
  // Dead letters wait for a person: keep them a month.
  DLQ: { duplicateWindowMs: 10 * 60_000, maxAgeMs: 30 * 24 * 3_600_000 },
} as const satisfies Record<keyof typeof STREAMS, StreamSettings>;

/** Ordering partitions of TELEGRAM. More partitions: more parallelism, less head-of-line waiting. */
export const DEFAULT_PARTITIONS = 16;

export function partitionTransform(partitions: number): { src: string; dest: string } {
  // telegram.<update|legacy>.<bot>.<chat>: both sides' updates (contracts, routing.ts), partitioned by bot and chat alike.
  return {
    src: 'telegram.*.*.*',
    dest: `telegram.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{partition(${String(partitions)},2,3)}}`,
  };
}

/** The partition count a TELEGRAM stream was created with, read from its transform. */
export function partitionsOf(config: Pick<StreamConfig, 'subject_transform'>): number | undefined {
  const match = /\{\{\s*partition\((\d+)/.exec(config.subject_transform?.dest ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export interface EnsureStreamsOptions {
  /** TELEGRAM's partition count when this call creates the stream; a live stream keeps its own. */
  readonly partitions?: number;
  readonly replicas?: number;
  /** Says when a live stream keeps a setting this process asked to change (its partitions). */
  readonly logger?: Pick<Logger, 'warn'>;
}

function desired(name: keyof typeof STREAMS, options: EnsureStreamsOptions): Partial<StreamConfig> & { name: string } {
  const settings = STREAM_SETTINGS[name];
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [...STREAM_SUBJECTS[name]],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(settings.duplicateWindowMs),
    max_age: nanos(settings.maxAgeMs),
    num_replicas: options.replicas ?? 1,
    // Direct get lets `nova-bus dlq list` walk a stream by subject without a consumer.
    allow_direct: true,
  };
  if (name === 'TELEGRAM') config.subject_transform = partitionTransform(options.partitions ?? DEFAULT_PARTITIONS);
  return config;
}

function drifted(current: StreamConfig, wanted: Partial<StreamConfig>): boolean {
  return (Object.keys(wanted) as (keyof StreamConfig)[]).some((key) => JSON.stringify(current[key]) !== JSON.stringify(wanted[key]));
}

/**
 * A live TELEGRAM stream keeps its partition count, whatever this process was built or configured
 * with. Changing it in place would move chats to other partitions while the old ones still hold
 * their earlier updates: two consumers could then run one chat's updates at once, out of order.
 * Such a change needs a drain-and-switch, never a deploy; the process goes on with the live count
 * (the consumers read it from the stream) and says so. Any other change of the transform (its
 * source subjects, which tokens it hashes) still goes through, as it did.
 */
function keepLivePartitions(current: StreamConfig, wanted: Partial<StreamConfig>, options: EnsureStreamsOptions): void {
  if (wanted.subject_transform === undefined) return;
  const live = partitionsOf(current);
  const asked = partitionsOf(wanted);
  if (live === undefined || asked === undefined || live === asked) return;
  wanted.subject_transform = partitionTransform(live);
  options.logger?.warn(
    { stream: current.name, livePartitions: live, askedPartitions: asked },
    `stream ${current.name} keeps its ${String(live)} partitions (this process asked for ${String(asked)}): a live stream's partition count is never changed by a deploy, only by a drain-and-switch`,
  );
}

/** Creates the NOVA, TELEGRAM and DLQ streams, or brings their settings to the declared ones. */
export async function ensureStreams(jsm: JetStreamManager, options: EnsureStreamsOptions = {}): Promise<void> {
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new BusConfigError(`partitions must be an integer in 1..1024, got ${String(partitions)}`);
  for (const name of Object.values(STREAMS)) {
    const wanted = desired(name, options);
    const current = await jsm.streams.info(name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
      throw error;
    });
    if (current === undefined) {
      await jsm.streams.add(wanted).catch(async (error: unknown) => {
        // Another replica created it between our look and our add.
        if (!/already in use|already exists/i.test(String(error))) throw error;
        await jsm.streams.update(name, wanted);
      });
    } else {
      // Never fewer copies than the stream has: a process started without NOVA_NATS_REPLICAS (a
      // tool, a forgotten variable) must not scale a cluster's R3 streams down to one copy.
      if (current.config.num_replicas > (wanted.num_replicas ?? 1)) wanted.num_replicas = current.config.num_replicas;
      keepLivePartitions(current.config, wanted, options);
      if (drifted(current.config, wanted)) await jsm.streams.update(name, { ...current.config, ...wanted });
    }
  }
}
