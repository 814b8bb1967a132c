/**
 * The Nova fleet as local processes from their builds (services/<name>/dist/main.js): the legacy
 * monolith and, for stage 1, the new webhook gateway. The monolith runs in its `jetstream` mode —
 * the state during and after stage 1: its own webhook handler writes to the TELEGRAM stream too,
 * so both sides of the split feed one stream and each chat keeps its order; it consumes the stream
 * and answers the gateway's bot checks over NATS.
 */
import { addScrapeTarget, freePort, httpOk, SupervisedProcess, type PrometheusInfo, type Stack } from '@nova/testbed';
import { join } from 'node:path';

export interface FleetSecrets {
  readonly mainBotToken: string;
  readonly mainBotId: number;
  readonly encryptionKey: string;
  readonly webhookSecret: string;
}

export interface FleetSettings {
  readonly repoRoot: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly telegramApiRoot: string;
  /** Where Telegram sends webhooks: the ingress. */
  readonly publicUrl: string;
  readonly otlpUrl: string;
  readonly prometheus: PrometheusInfo;
  readonly secrets: FleetSecrets;
}

export interface Deployable {
  readonly name: string;
  readonly port: number;
  readonly process: SupervisedProcess;
}

/** A free port chosen before the process starts, so nginx can point at it first. */
export async function reservePort(): Promise<number> {
  return freePort();
}

export async function startDeployable(stack: Stack, settings: FleetSettings, workspace: string, name: string, port: number, env: Readonly<Record<string, string>>): Promise<Deployable> {
  const url = `http://127.0.0.1:${String(port)}`;
  const process = await SupervisedProcess.start(stack, {
    name,
    command: globalThis.process.execPath,
    args: [join(settings.repoRoot, workspace, 'dist/main.js')],
    cwd: settings.repoRoot,
    env: {
      NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`,
      NOVA_NAMESPACE: 'nova',
      NOVA_LOG_LEVEL: 'info',
      NOVA_SHUTDOWN_TIMEOUT: '10s',
      OTEL_EXPORTER_OTLP_ENDPOINT: settings.otlpUrl,
      OTEL_SERVICE_NAME: name,
      ...env,
    },
    ready: () => httpOk(`${url}/readyz`),
    readyTimeoutMs: 90_000,
    stopTimeoutMs: 15_000,
  });
  addScrapeTarget(settings.prometheus, name, `127.0.0.1:${String(port)}`, { job: name });
  return { name, port, process };
}

export function monolithEnv(settings: FleetSettings): Record<string, string> {
  return {
    NOVA_MONOLITH_UPDATES: 'jetstream',
    NOVA_NATS_URL: settings.natsUrl,
    NOVA_DATABASE_URL: settings.databaseUrl,
    NOVA_MAIN_BOT_TOKEN: settings.secrets.mainBotToken,
    NOVA_TOKEN_ENCRYPTION_KEY: settings.secrets.encryptionKey,
    NOVA_WEBHOOK_SECRET: settings.secrets.webhookSecret,
    NOVA_PUBLIC_URL: settings.publicUrl,
    NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
  };
}

/** The gateway needs only the main bot's id (never its token), the webhook secret and NATS. */
export function gatewayEnv(settings: FleetSettings, natsUrl: string): Record<string, string> {
  return {
    NOVA_NATS_URL: natsUrl,
    NOVA_WEBHOOK_SECRET: settings.secrets.webhookSecret,
    NOVA_MAIN_BOT_ID: String(settings.secrets.mainBotId),
  };
}
