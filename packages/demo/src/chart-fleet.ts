/**
 * The chart's fleet on the one-node cluster as an SRE with a managed database and a NATS of their
 * own installs it (charts/README.md, "The same on your own cluster"): the monolith (jetstream),
 * the webhook gateway, the user service on its own database login and the bot service as pods of
 * `helm install nova charts/nova`, NATS, PostgreSQL and Telegram outside the cluster through the
 * chart's external settings, and a NodePort Service in front of the gateway where a cluster's
 * HTTPS ingress would be (no public name or certificate here). What test/cluster/fleet.test.ts
 * installs, shared with `npm run demo -- --cluster`.
 *
 * Where the outside components must listen: the pods live in the node's network namespace and reach
 * the machine only at the host end of the node's link (`node.info.hostAddress`), so NATS, PostgreSQL
 * and the emulator are bound there, and PostgreSQL takes password logins from the node's address
 * (the pods' connections leave the bridge masqueraded to it).
 */
import { BOT_MIGRATIONS_DIR, BOT_SCHEMA } from '@nova/bot-service/domain';
import { migrate } from '@nova/db';
import { SchemaRole } from '@nova/fleet';
import { arrangeFleetSchemaBefore } from '@nova/schema-move';
import { createOwnedDatabase, type ClusterTools, type NodeCluster, type PostgresServer } from '@nova/testbed';
import { USER_MIGRATIONS_DIR, USER_SCHEMA } from '@nova/user-service/domain';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHART_NAMESPACE = 'nova';
/** The deployables the stage-2 fleet runs in pods, beside the operator's two replicas. */
export const CHART_DEPLOYABLES = ['nova-monolith', 'webhook-gateway', 'user-service', 'bot-service'] as const;
/** The images the release runs: the operator's and the fleet's. */
export const CHART_IMAGES = ['operator', ...CHART_DEPLOYABLES] as const;
const OTHERS = ['publisher-service', 'payment-service', 'admin-panel', 'notification-service'];
/** The public URL the bot service sets the main bot's webhook to (the chart wants HTTPS). */
export const PUBLIC_URL = 'https://bot.example.com';
/** The NodePort that plays the ingress: the node's own port range, in its own network namespace. */
export const NODE_PORT = 30080;

/** The fleet's secrets, made fresh for one install (never printed). */
export interface ChartSecrets {
  readonly encryptionKey: string;
  readonly webhookSecret: string;
  readonly adminSessionKey: string;
  readonly fleetPassword: string;
}

export function freshSecrets(): ChartSecrets {
  return {
    encryptionKey: randomBytes(32).toString('base64'),
    webhookSecret: randomBytes(24).toString('base64url'),
    adminSessionKey: randomBytes(32).toString('base64'),
    fleetPassword: randomBytes(16).toString('hex'),
  };
}

/**
 * The fleet's database as an SRE would hand it over: database `nova` owned by login `nova_fleet`
 * (password), the user and bot schemas migrated and on stage 7's "before" (as the monolith's
 * start-up leaves them), and the user service's own login granted its schema's data. Returns the
 * superuser's URL of database `nova` and that login.
 */
export async function prepareChartDatabase(postgres: PostgresServer, secrets: ChartSecrets): Promise<{ adminUrl: string; usersRole: SchemaRole }> {
  const adminUrl = new URL(await createOwnedDatabase(postgres.info.url, 'nova', 'nova_fleet', secrets.fleetPassword));
  const fleetUrl = new URL(adminUrl);
  fleetUrl.username = 'nova_fleet';
  fleetUrl.password = secrets.fleetPassword;
  // What a migration job does before the fleet starts (as test/e2e/stage2-users does), so the user
  // service's own login can be granted its tables before it starts.
  await migrate({ connectionString: fleetUrl.toString(), schema: USER_SCHEMA, migrationsDir: USER_MIGRATIONS_DIR });
  await migrate({ connectionString: fleetUrl.toString(), schema: BOT_SCHEMA, migrationsDir: BOT_MIGRATIONS_DIR });
  await arrangeFleetSchemaBefore(fleetUrl.toString(), USER_SCHEMA);
  await arrangeFleetSchemaBefore(fleetUrl.toString(), BOT_SCHEMA);
  const usersRole = await SchemaRole.create(adminUrl.toString(), USER_SCHEMA);
  return { adminUrl: adminUrl.toString(), usersRole };
}

function secretArgs(name: string, entries: Readonly<Record<string, string>>): string[] {
  return ['create', 'secret', 'generic', name, '-n', CHART_NAMESPACE, ...Object.entries(entries).map(([key, value]) => `--from-literal=${key}=${value}`)];
}

/** The NodePort Service in front of the gateway's pods (the ingress stand-in; not the chart's: a real cluster has its ingress). */
function ingressStandIn(): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'ingress-stand-in', namespace: CHART_NAMESPACE },
    spec: {
      type: 'NodePort',
      selector: { 'app.kubernetes.io/name': 'webhook-gateway', 'app.kubernetes.io/instance': 'nova' },
      ports: [{ name: 'webhooks', port: 8100, targetPort: 'http', nodePort: NODE_PORT }],
    },
  });
}

export interface ChartInstall {
  readonly node: NodeCluster;
  readonly tools: ClusterTools;
  readonly natsUrl: string;
  readonly postgres: PostgresServer;
  readonly telegramApiRoot: string;
  readonly mainBot: { readonly id: number; readonly token: string };
  readonly usersRole: SchemaRole;
  readonly secrets: ChartSecrets;
  /** Where the values file goes (a folder of the run's stack: it names no secret, only Secrets). */
  readonly dir: string;
}

/**
 * The namespace, the Secrets, the NodePort stand-in and `helm install nova charts/nova --wait`:
 * every Deployment Ready through the chart's probes. One replica of each deployable (two cores
 * shared with others; the chart's default is two), the operator's two, routing on the bus (`kv`).
 */
export async function installChartFleet(install: ChartInstall, chartDir: string): Promise<void> {
  const { tools, node, secrets } = install;
  await tools.kubectl(['create', 'namespace', CHART_NAMESPACE]);
  await tools.waitForState('the namespace\'s default ServiceAccount', async () => (await tools.getJson<{ items: unknown[] }>(['serviceaccounts', '-n', CHART_NAMESPACE])).items.length > 0, 60_000);
  await tools.kubectl(secretArgs('nova-secrets', {
    'main-bot-token': install.mainBot.token, 'token-encryption-key': secrets.encryptionKey,
    'webhook-secret': secrets.webhookSecret, 'admin-session-key': secrets.adminSessionKey,
  }));
  await tools.kubectl(secretArgs('nova-postgresql', { password: secrets.fleetPassword }));
  await tools.kubectl(secretArgs('nova-db-user-service', { password: new URL(install.usersRole.url()).password }));
  await tools.kubectl(['apply', '-f', '-'], ingressStandIn());
  const values = {
    image: { registry: 'localhost', tag: 'test', pullPolicy: 'Never' },
    nats: { url: install.natsUrl, routing: 'kv' },
    postgresql: { host: node.info.hostAddress, port: install.postgres.info.port, database: 'nova', user: 'nova_fleet', sslMode: 'disable', existingSecret: 'nova-postgresql' },
    telegram: { apiRoot: install.telegramApiRoot, mainBotId: String(install.mainBot.id) },
    publicUrl: PUBLIC_URL,
    services: {
      ...Object.fromEntries(OTHERS.map((name) => [name, { enabled: false }])),
      'nova-monolith': { replicas: 1, env: { NOVA_MONOLITH_UPDATES: 'jetstream' } },
      'webhook-gateway': { replicas: 1 },
      'user-service': { replicas: 1, database: { existingSecret: 'nova-db-user-service', user: install.usersRole.role }, env: { NOVA_MIGRATE_ON_START: 'false' } },
      'bot-service': { replicas: 1 },
    },
  };
  const valuesFile = join(install.dir, 'values.json');
  writeFileSync(valuesFile, JSON.stringify(values));
  await tools.helm(['install', 'nova', chartDir, '-n', CHART_NAMESPACE, '-f', valuesFile, '--wait', '--timeout', '300s']);
}

/** The NodePort's address, where the emulator delivers what Telegram would send to PUBLIC_URL. */
export function nodePortUrl(node: NodeCluster): string {
  return `http://${node.info.nodeAddress}:${String(NODE_PORT)}`;
}

/**
 * Until the bot service set the main bot's webhook to the public URL, and the NodePort reaches the
 * gateway: a Ready pod is not yet a forwarding NodePort (kube-proxy programs its rules after the
 * endpoint turns ready; a run had the first two deliveries refused).
 */
export async function waitForWebhookPath(install: Pick<ChartInstall, 'tools' | 'node'>, webhookUrl: () => string | undefined): Promise<void> {
  await install.tools.waitForState('the main bot\'s webhook set to the public URL', () => Promise.resolve(webhookUrl() === `${PUBLIC_URL}/webhook/main`), 60_000);
  const health = `${nodePortUrl(install.node)}/healthz`;
  await install.tools.waitForState('the gateway answering through the NodePort', async () => (await fetch(health).catch(() => undefined))?.ok === true, 60_000);
}
