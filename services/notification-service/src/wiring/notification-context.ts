/**
 * The notification context, assembled: the plan's jobs on a bus, run by the single active
 * scheduler whose lease and tick records live in a NATS KV bucket. The notification service and
 * the monolith (the legacy side) run the same, on the same bucket. Without routing the two share
 * one lease, so they never both tick; on the routed bus each side has its own lease and works
 * only its chats at the notification weight (Decided 13), so at every weight each chat's work
 * has one active scheduler.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Bus } from '@nova/bus';
import type { Logger, Metrics } from '@nova/platform';
import type { TelegramClients } from '@nova/telegram';
import { busUserLocales } from '@nova/wiring';
import { everyChat, leaseKey, Scheduler, SchedulerLease, sideChats, TickFence, type HandOffCall, type KeyValueStore, type SchedulerSide } from '../domain/index.js';
import type { NotificationContextConfig } from './config.js';
import { publishDueJob, subscriptionsJob } from './jobs.js';
import { NatsKvStore, openSchedulerBucket } from './nats-kv-store.js';
import { MainBotReminderSender, paymentEndingSubscriptions } from './reminder-ports.js';
import { handOffLagMetric, schedulerObserver } from './scheduler-metrics.js';

export interface NotificationContextHost {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  onStop(name: string, step: () => Promise<void>): void;
}

export interface NotificationContextOptions {
  /** Carries the jobs' requests; told that this process does the notification context's work (where it can be). */
  readonly bus: Pick<Bus, 'request'> & Partial<Pick<Bus, 'declareHandling' | 'recordWork'>>;
  /**
   * Where the lease and the tick records live: natsSchedulerStore(nc) (the bucket both sides
   * share), or an InMemoryKeyValueStore for a process without NATS.
   */
  readonly store: KeyValueStore;
  readonly config: NotificationContextConfig;
  /** The main bot writes the reminders (the process's shared clients). */
  readonly clients: TelegramClients;
  /** NOVA_MAIN_BOT_TOKEN; never logged. */
  readonly mainBotToken: string;
  /**
   * The canary (a process on the routed bus, NOVA_ROUTING=kv): this process's side and the
   * notification context's weight as its router applies it. Each side then has its own lease and
   * tick records (`lease.scheduler.<side>`, `tick.<job>.<side>`), so one replica per side ticks,
   * and hands only its side's chats' work. Absent (routing off, or no NATS): no canary; the one
   * lease `lease.scheduler` is shared by both sides and its holder does every chat's work.
   */
  readonly routing?: { readonly side: SchedulerSide; readonly weight: () => number };
}

/** A KvRouter's reading of the notification weight, for `routing.weight`. */
export function notificationWeight(router: { weight(context: 'notification'): { weight: number } }): () => number {
  return () => router.weight('notification').weight;
}

/** The scheduler's store on the NATS KV bucket every scheduler of both sides shares. */
export async function natsSchedulerStore(nc: NatsConnection, bucket?: string, replicas?: number): Promise<KeyValueStore> {
  return new NatsKvStore(await openSchedulerBucket(nc, bucket, replicas));
}

/** A name unique to this process: the pod's (hostname) and a random part, so a restarted pod is a new holder. */
export function holderName(): string {
  return `${hostname()}-${randomBytes(4).toString('hex')}`;
}

/** How often a replica looks at its lease and the jobs' ticks: well inside the shortest interval and the lease. */
export function pollIntervalMs(config: NotificationContextConfig): number {
  const shortest = Math.min(config.NOVA_NOTIFY_PUBLISH_INTERVAL, config.NOVA_NOTIFY_SUBSCRIPTION_INTERVAL, config.NOVA_SCHEDULER_LEASE_TTL / 2);
  return Math.max(50, Math.min(1_000, Math.floor(shortest / 5)));
}

export function startNotificationContext(host: NotificationContextHost, options: NotificationContextOptions): Scheduler {
  const holder = holderName();
  const { store, routing } = options;
  const clock = (): Date => new Date();
  const scope = routing?.side;
  const chats = routing === undefined ? everyChat() : sideChats(routing.side, routing.weight);
  const lag = handOffLagMetric(host.metrics, clock);
  // The side's work in the series the operator's stage-6 analysis compares (domain/hand-off-call.ts).
  const called: HandOffCall = (ok, seconds, items, waitedSeconds) => { options.bus.recordWork?.('notification', { ok, seconds, items, waitedSeconds }); };
  const publishJob = publishDueJob(options.bus, options.config.NOVA_NOTIFY_PUBLISH_INTERVAL, chats, lag, called, clock);
  const scheduler = new Scheduler({
    lease: new SchedulerLease({ store, holder, ttlMs: options.config.NOVA_SCHEDULER_LEASE_TTL, clock, key: leaseKey(scope) }),
    fence: new TickFence(store, holder, clock, scope),
    jobs: [
      publishJob,
      subscriptionsJob(options.bus, options.config.NOVA_NOTIFY_SUBSCRIPTION_INTERVAL, {
        subscriptions: paymentEndingSubscriptions(options.bus),
        sender: new MainBotReminderSender(options.clients, options.mainBotToken),
        // Each recipient's own language, from the users context (whichever side serves their chat).
        locales: busUserLocales(options.bus),
        // The reminders' records are not per side: a reminder both sides took during a weight change is still sent once.
        store,
        clock,
      }, chats, lag, called),
    ],
    clock,
    observer: schedulerObserver(host.metrics, host.logger, holder),
    leaseTtlMs: options.config.NOVA_SCHEDULER_LEASE_TTL,
  });
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // One poll at a time: a slow store must not stack polls up.
    polling = polling.then(() => scheduler.poll()).catch((error: unknown) => {
      host.logger.warn({ err: error }, 'scheduler poll failed');
    });
  }, pollIntervalMs(options.config));
  // No binding on the bus says it: the operator's stage-6 analysis looks for a live target that handles the context.
  options.bus.declareHandling?.('notification');
  host.logger.info({ holder, side: scope ?? 'every chat (no canary)' }, 'notification context started');
  host.onStop('notification scheduler', async () => {
    clearInterval(timer);
    await polling;
    await scheduler.idle();
    // The posts' timers: none fires from here, the hand-offs of those that fired are answered.
    publishJob.upcoming.disarm();
    await publishJob.upcoming.idle();
    // Release with the lease object the scheduler used.
    await scheduler.release();
  });
  return scheduler;
}
