/**
 * Where the monolith's two contexts talk, and where it reads Telegram updates, by its modes:
 *
 *   inline                  the contexts on the in-process bus; updates processed in the webhook request
 *   jetstream, routing off  the contexts on the in-process bus; updates from TELEGRAM with the bot
 *                           service's durable (one consumer group: stage 1), and svc.bot.* also
 *                           answered on NATS (the gateway's webhook_auth)
 *   jetstream, routing kv   everything on one routed NATS bus (stages 2–6): the contexts served on
 *                           the legacy subjects (svc.legacy.<context>.*), their calls such as
 *                           svc.user.upsert sent per chat to the monolith or to the service, events
 *                           on stream NOVA, and updates from telegram.legacy.> with the monolith's
 *                           own durable. Nothing stays in-process: the in-process bus cannot reach
 *                           a service, and a chat the weight gave to the service must reach it
 *                           even when the monolith is the caller.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { attachBus, connectJetStreamBus, connectRoutedBus, createInProcessBus, type Bus, type KvRouter } from '@nova/bus';
import { BOT_UPDATES_CONSUMER, LEGACY_BOT_UPDATES_CONSUMER } from '@nova/bot-service/wiring';
import type { Logger, Metrics, StartupProgress } from '@nova/platform';
import type { MonolithConfig } from './config.js';
import { natsServersFor } from './config.js';

export interface MonolithBuses {
  /** Where the users and bots contexts serve, call each other and publish. */
  readonly contexts: Bus;
  /** Where updates are read from, when not inline. */
  readonly updates?: {
    readonly bus: Bus;
    /** The durable consumer of TELEGRAM to bind. */
    readonly consumer: string;
    /** The contexts' bus is not on NATS: also serve svc.bot.* on this one. */
    readonly serveBotsHere: boolean;
  };
  /** The NATS connection, when the monolith has one: the notification scheduler's lease lives there. */
  readonly nc?: NatsConnection;
  /** The routed bus's router (routing kv): the notification scheduler reads its canary weight there. */
  readonly router?: KvRouter;
}

export interface MonolithHost {
  readonly name: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly readiness: { add(name: string, check: () => boolean): void };
  /** runService's: NATS down at start is waited for, not a failed start. */
  readonly startup?: StartupProgress;
  onStop(name: string, step: () => Promise<void>): void;
}

export async function monolithBuses(service: MonolithHost, config: Pick<MonolithConfig, 'NOVA_MONOLITH_UPDATES' | 'NOVA_NATS_URL' | 'NOVA_ROUTING'> & Partial<Pick<MonolithConfig, 'NOVA_NATS_REPLICAS'>>): Promise<MonolithBuses> {
  const { metrics, logger, startup } = service;
  const servers = natsServersFor(config);
  const replicas = config.NOVA_NATS_REPLICAS ?? 1;
  if (servers === undefined) return { contexts: attachBus(service, createInProcessBus({ metrics, logger })) };
  if (config.NOVA_ROUTING === 'kv') {
    const { bus, router } = await connectRoutedBus({ servers, replicas, name: service.name, metrics, logger, startup });
    const routed = attachBus(service, bus);
    return { contexts: routed, updates: { bus: routed, consumer: LEGACY_BOT_UPDATES_CONSUMER, serveBotsHere: false }, nc: bus.transport.nc, router };
  }
  const contexts = attachBus(service, createInProcessBus({ metrics, logger }));
  const stream = attachBus(service, await connectJetStreamBus({ servers, replicas, name: service.name, metrics, logger, startup }));
  return { contexts, updates: { bus: stream, consumer: BOT_UPDATES_CONSUMER, serveBotsHere: true }, nc: stream.transport.nc };
}
