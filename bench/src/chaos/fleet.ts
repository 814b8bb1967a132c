/**
 * The chaos run's fleet: the demo's deployables through `@nova/fleet` (the one place that knows
 * each one's environment), as stage 1 leaves it but routing by the operator's weights
 * (NOVA_ROUTING=kv, the stage-2 fleet of the demo), `replicas` of every service, two webhook
 * gateways behind nginx, the Telegram emulator, and nats-server and PostgreSQL that can be
 * restarted on their stores. Every process the chaos loop may kill is a `Killable`.
 */
import { deployableEnv, loopbackAddress, startDeployable, type Deployable, type FleetSettings, type RunningDeployable } from '@nova/fleet';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { createDatabase, startNginx, type Stack } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { startChaosNats, startChaosNatsCluster, startChaosPostgres } from './stores.js';

/** What the chaos loop counts kills by. */
export type KillKind = 'gateway' | 'monolith' | 'service' | 'nats-server' | 'postgres' | 'operator';

export const KILL_KINDS: readonly KillKind[] = ['gateway', 'monolith', 'service', 'nats-server', 'postgres', 'operator'];

export interface Killable {
  readonly kind: KillKind;
  readonly name: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface ChaosFleet {
  /** NOVA_NATS_URL: one URL, or the cluster's three, comma-separated. */
  readonly natsUrl: string;
  /** NOVA_NATS_REPLICAS: 1, or 3 on the cluster. */
  readonly natsReplicas: number;
  /** The fleet's database (the bots context's replies are read from it at the end). */
  readonly databaseUrl: string;
  readonly emulator: TelegramEmulator;
  readonly mainBot: EmulatedBot;
  readonly killables: readonly Killable[];
  /** Every process that must be running for the fleet to be whole. */
  stop(): Promise<void>;
}

const RESTART_TRIES = 10;

const SERVICES: readonly Deployable[] = ['user-service', 'bot-service', 'publisher-service', 'payment-service', 'notification-service'];

/** A deployable that is started again on the same address, with the same environment and log file. */
class RestartableDeployable implements Killable {
  private constructor(readonly kind: KillKind, private readonly stack: Stack, private readonly deployable: Deployable, private readonly settings: FleetSettings, private running: RunningDeployable) {}

  static async start(kind: KillKind, stack: Stack, deployable: Deployable, settings: FleetSettings, name: string, address?: string): Promise<RestartableDeployable> {
    const running = await startDeployable(stack, deployable, deployableEnv(deployable, settings), { name, address: address ?? await loopbackAddress() });
    return new RestartableDeployable(kind, stack, deployable, settings, running);
  }

  get name(): string {
    return this.running.name;
  }

  async kill(): Promise<void> {
    await this.running.process.kill('SIGKILL');
  }

  /**
   * Starts it again until it is ready, as Kubernetes restarts a crashed container: a deployable
   * started while nats-server or PostgreSQL is down exits (its first connection times out), and is
   * started again after a pause. Bounded: RESTART_TRIES starts.
   */
  async restart(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= RESTART_TRIES; attempt++) {
      try {
        this.running = await startDeployable(this.stack, this.deployable, deployableEnv(this.deployable, this.settings), { name: this.running.name, address: this.running.address });
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1_000 * attempt)));
      }
    }
    throw lastError;
  }
}

/** One nats-server (R1), or the three-node cluster (R3, each node a victim of its own). */
async function startChaosNatsServers(stack: Stack, cluster: boolean): Promise<{ url: string; replicas: number; killables: Killable[] }> {
  if (cluster) {
    const nats = await startChaosNatsCluster(stack);
    return { url: nats.url, replicas: nats.replicas, killables: nats.nodes.map((node) => ({ kind: 'nats-server', name: node.name, kill: () => node.kill(), restart: () => node.restart() })) };
  }
  const nats = await startChaosNats(stack);
  return { url: nats.url, replicas: 1, killables: [{ kind: 'nats-server', name: 'nats-server', kill: () => nats.component.kill(), restart: () => nats.component.restart() }] };
}

/**
 * `namespace`: the NovaMigrations' namespace (NOVA_NAMESPACE). The fleet routes by the operator's
 * weights (NOVA_ROUTING=kv, as from stage 2 on): with no migration a context stays on the
 * monolith, so the bot context's updates are the monolith's and the user context moves as the
 * run's stage-2 migration writes its weight.
 */
export async function startChaosFleet(stack: Stack, replicas: number, namespace: string, options: { readonly natsCluster?: boolean } = {}): Promise<ChaosFleet> {
  const [nats, postgres] = await Promise.all([startChaosNatsServers(stack, options.natsCluster ?? false), startChaosPostgres(stack)]);
  const databaseUrl = await createDatabase(postgres.url, 'nova_chaos');
  // Telegram itself cannot be reached from here; the emulator plays it (webhook delivery, retries, limits).
  const emulator = await TelegramEmulator.start();
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  const gatewayAddresses = await Promise.all(Array.from({ length: replicas }, () => loopbackAddress()));
  // The ingress: nginx spreads Telegram's webhooks over the gateways, and tries the next one on a refused connection.
  const ingress = await startNginx(stack, 'chaos-ingress', [
    `  upstream gateways { ${gatewayAddresses.map((address) => `server ${address} max_fails=1 fail_timeout=2s;`).join(' ')} }`,
    '  server {',
    '    listen 127.0.0.1:{{PORT}};',
    "    location = /_ingress/healthz { return 200 'ok'; }",
    '    location / { proxy_pass http://gateways; proxy_next_upstream error timeout http_502 http_503; }',
    '  }',
  ].join('\n'), '/_ingress/healthz');
  const settings: FleetSettings = {
    natsUrl: nats.url,
    natsReplicas: nats.replicas,
    databaseUrl,
    telegramApiRoot: emulator.apiRoot,
    publicUrl: ingress.url,
    secrets: { mainBotToken: mainBot.token, encryptionKey: randomBytes(32).toString('base64'), webhookSecret: randomBytes(24).toString('base64url') },
    routing: 'kv',
    namespace,
    notifications: {},
    logLevel: 'warn',
  };
  const killables: Killable[] = [
    ...nats.killables,
    { kind: 'postgres', name: 'postgres', kill: () => postgres.component.kill(), restart: () => postgres.component.restart() },
  ];
  // The monolith first: it migrates every schema and declares the streams the others find.
  killables.push(await RestartableDeployable.start('monolith', stack, 'nova-monolith', settings, 'nova-monolith'));
  const starting: Promise<RestartableDeployable>[] = gatewayAddresses.map((address, i) => RestartableDeployable.start('gateway', stack, 'webhook-gateway', settings, `webhook-gateway-${String(i + 1)}`, address));
  for (const deployable of SERVICES) {
    for (let i = 0; i < replicas; i++) starting.push(RestartableDeployable.start('service', stack, deployable, settings, `${deployable}-${String(i + 1)}`));
  }
  killables.push(...await Promise.all(starting));
  return {
    natsUrl: nats.url,
    natsReplicas: nats.replicas,
    databaseUrl,
    emulator,
    mainBot,
    killables,
    async stop() {
      await emulator.stop();
      await stack.stop();
    },
  };
}
