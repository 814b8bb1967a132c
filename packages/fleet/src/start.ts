/**
 * The fleet's deployables as real processes from their builds (`services/<folder>/dist/main.js`;
 * `npm run build` first), each a SupervisedProcess of a test bed Stack: its JSON log in the
 * stack's log folder, stopped with the stack, reaped after a killed run. A process counts as
 * started once its /readyz answers 200 (NATS connected, database reachable, consumers bound).
 */
import { freePort, SupervisedProcess, type Stack } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOYABLES, type Deployable } from './deployables.js';
import { deployableEnv, type Env, type FleetSettings } from './env.js';

/** The repository root, from src/ (tests) and dist/ (the demo) alike. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface RunningDeployable {
  readonly deployable: Deployable;
  /** Unique in the stack: the log file's name. */
  readonly name: string;
  /** host:port of its HTTP server (/healthz, /readyz, /metrics, and the webhooks of the gateway and the monolith). */
  readonly address: string;
  readonly url: string;
  readonly process: SupervisedProcess;
  /** Its /metrics text. */
  metrics(): Promise<string>;
  /** Everything it wrote so far. */
  logText(): string;
  /** SIGTERM (graceful drain), SIGKILL after the stop timeout. */
  stop(): Promise<void>;
}

export interface StartDeployableOptions {
  /** Log file name; default the deployable's. */
  readonly name?: string;
  /** host:port; default a free loopback port. */
  readonly address?: string;
  /** Node 24; default the running one. */
  readonly node?: string;
  readonly readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL; default 20 s (past NOVA_SHUTDOWN_TIMEOUT's 10 s default). */
  readonly stopTimeoutMs?: number;
}

export async function loopbackAddress(): Promise<string> {
  return `127.0.0.1:${String(await freePort())}`;
}

/** Starts one deployable with `env` and resolves once it is ready. */
export async function startDeployable(stack: Stack, deployable: Deployable, env: Env, options: StartDeployableOptions = {}): Promise<RunningDeployable> {
  const address = options.address ?? (await loopbackAddress());
  const url = `http://${address}`;
  const process = await SupervisedProcess.start(stack, {
    name: options.name ?? deployable,
    command: options.node ?? globalThis.process.execPath,
    args: [join(REPO_ROOT, 'services', DEPLOYABLES[deployable].folder, 'dist/main.js')],
    cwd: REPO_ROOT,
    env: { ...env, NOVA_HTTP_ADDRESS: address },
    ready: async () => {
      try {
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 20_000,
  });
  return {
    deployable,
    name: options.name ?? deployable,
    address,
    url,
    process,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    logText: () => {
      try {
        return readFileSync(process.logPath, 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => process.stop(),
  };
}

export type FleetAddresses = Readonly<Record<Deployable, string>>;

/**
 * A free loopback address per deployable, before anything starts: the ingress needs the
 * monolith's and the gateway's, and NOVA_PUBLIC_URL must name the ingress before the processes
 * set their webhooks.
 */
export async function fleetAddresses(): Promise<FleetAddresses> {
  const entries = await Promise.all((Object.keys(DEPLOYABLES) as Deployable[]).map(async (deployable) => [deployable, await loopbackAddress()] as const));
  return Object.fromEntries(entries) as Record<Deployable, string>;
}

export type RunningFleet = Readonly<Record<Exclude<Deployable, 'admin-panel' | 'notification-service'>, RunningDeployable>> & {
  /** Running when the fleet was given admins (FleetSettings.admin). */
  readonly 'admin-panel'?: RunningDeployable;
  /** Running when the fleet was given the schedulers' settings (FleetSettings.notifications). */
  readonly 'notification-service'?: RunningDeployable;
  /** In start order. */
  readonly all: readonly RunningDeployable[];
  /** Stops them gracefully: the gateway first (no new updates), the callers, the user service last (their callee). */
  stop(): Promise<void>;
};

export interface StartFleetOptions extends Pick<StartDeployableOptions, 'node' | 'readyTimeoutMs' | 'stopTimeoutMs'> {
  /** From fleetAddresses(); default fresh ones. */
  readonly addresses?: FleetAddresses;
}

/**
 * The monolith (jetstream mode), then the gateway, the user, bot, publisher and payment
 * services, all with `settings.routing`, and the notification service when given
 * `settings.notifications`. The monolith goes first: it migrates every schema and
 * declares the streams and routing buckets the others then find. The publisher and payment
 * services serve only the target side of their contexts: until stages 4 and 5 move weight, the
 * monolith answers svc.publisher.* and svc.payment.*.
 */
export async function startFleet(stack: Stack, settings: FleetSettings, options: StartFleetOptions = {}): Promise<RunningFleet> {
  const addresses = options.addresses ?? (await fleetAddresses());
  const start = (deployable: Deployable): Promise<RunningDeployable> =>
    startDeployable(stack, deployable, deployableEnv(deployable, settings), { ...options, address: addresses[deployable] });
  const monolith = await start('nova-monolith');
  const [gateway, users, bots, publisher, payments] = await Promise.all([
    start('webhook-gateway'), start('user-service'), start('bot-service'), start('publisher-service'), start('payment-service'),
  ]);
  // After the publisher and payment services it hands work to (until stage 6 moves weight it hands none).
  const notifications = settings.notifications === undefined ? undefined : await start('notification-service');
  // Last: it asks the contexts the others serve, and stands apart from the bot traffic.
  const admin = settings.admin === undefined ? undefined : await start('admin-panel');
  const optional = (running: RunningDeployable | undefined): RunningDeployable[] => (running === undefined ? [] : [running]);
  const all = [monolith, gateway, users, bots, publisher, payments, ...optional(notifications), ...optional(admin)];
  return {
    ...(admin === undefined ? {} : { 'admin-panel': admin }),
    ...(notifications === undefined ? {} : { 'notification-service': notifications }),
    'nova-monolith': monolith,
    'webhook-gateway': gateway,
    'user-service': users,
    'bot-service': bots,
    'publisher-service': publisher,
    'payment-service': payments,
    all,
    async stop() {
      // Callers before their callees: the schedulers hand work to the publisher and payments, the publisher and the bots context ask svc.payment.*.
      for (const running of [...optional(admin), ...optional(notifications), gateway, publisher, bots, payments, monolith, users]) await running.stop();
    },
  };
}
