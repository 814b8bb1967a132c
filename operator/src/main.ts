/**
 * The operator's entry point: configuration from the environment (see operator/README.md),
 * credentials from KUBECONFIG or the pod's service account, then run until SIGTERM or lost
 * leadership (exit 1, so the kubelet restarts a replica that may hold stale assumptions).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { parseDuration } from './migration/steps.js';
import { createOperator, type OperatorConfig } from './operator.js';
import { jsonLogger } from './runtime/log.js';
import { shutdownOnSignals } from './runtime/signals.js';
import { parseCrashPoints } from './migration/crash-points.js';
import type { NatsProviderOptions, NginxInstanceOptions } from './providers/index.js';

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function durationMs(env: Env, variable: string): number | undefined {
  const text = env[variable];
  if (text === undefined || text === '') return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new ConfigError(variable, `"${text}" is not a duration like 15s or 500ms`);
  return ms;
}

function address(env: Env, variable: string, fallback: string): { host: string; port: number } {
  const text = env[variable] ?? fallback;
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(variable, `"${text}" is not host:port`);
  return { host: text.slice(0, colon) || '0.0.0.0', port };
}

function nginx(env: Env): NginxInstanceOptions | undefined {
  const configFile = env.NOVA_NGINX_CONFIG;
  if (configFile === undefined || configFile === '') return undefined;
  const confDir = env.NOVA_NGINX_CONF_DIR;
  if (confDir === undefined || confDir === '') throw new ConfigError('NOVA_NGINX_CONF_DIR', 'is required with NOVA_NGINX_CONFIG');
  return { binary: env.NOVA_NGINX_BINARY ?? 'nginx', configFile, confDir, prefix: env.NOVA_NGINX_PREFIX, pidFile: env.NOVA_NGINX_PID_FILE };
}

/** NOVA_NATS_REPLICAS (1 to 5, default 1): the same setting and meaning as the deployables' (@nova/platform's natsReplicas). */
function natsReplicas(env: Env): number {
  const text = env.NOVA_NATS_REPLICAS;
  if (text === undefined || text.trim() === '') return 1;
  const replicas = Number(text);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new ConfigError('NOVA_NATS_REPLICAS', `"${text}" is not 1 to 5 (3 on a three-node cluster)`);
  return replicas;
}

function nats(env: Env): NatsProviderOptions | undefined {
  const text = env.NOVA_NATS_URL;
  if (text === undefined || text.trim() === '') return undefined;
  const servers = text.split(',').map((server) => server.trim()).filter((server) => server !== '');
  // The value may carry credentials (nats://user:password@host): name the variable, never echo it.
  if (servers.some((server) => !/^(nats|tls|wss?):\/\/[^\s]+$/u.test(server))) throw new ConfigError('NOVA_NATS_URL', 'expected comma-separated nats://host:port URLs');
  return { servers, applyTimeoutMs: durationMs(env, 'NOVA_NATS_APPLY_TIMEOUT'), replicas: natsReplicas(env) };
}

function prometheus(env: Env): string | undefined {
  const text = env.NOVA_PROMETHEUS_ADDRESS;
  if (text === undefined || text === '') return undefined;
  if (!/^https?:\/\/[^\s]+$/u.test(text)) throw new ConfigError('NOVA_PROMETHEUS_ADDRESS', `"${text}" is not an http(s) URL`);
  return text;
}

/**
 * NOVA_SCHEMA_MOVE_RUNNER: `job` (default) runs each database step as a Job with the login from the
 * Secret the migration names, stopped after NOVA_SCHEMA_MOVE_JOB_DEADLINE (default 10m); `process` (one machine) runs the CLI locally with the login from
 * NOVA_SCHEMA_MOVE_DATABASE_URL, backups in NOVA_SCHEMA_MOVE_BACKUP_DIR. The URL is a secret: a
 * problem with it names the variable, never its value.
 */
function schemaMove(env: Env): OperatorConfig['schemaMove'] {
  const runner = env.NOVA_SCHEMA_MOVE_RUNNER ?? 'job';
  if (runner === 'job' || runner === '') {
    // NOVA_SCHEMA_MOVE_JOB_DEADLINE: each Job's activeDeadlineSeconds (default 10m, job-runner.ts).
    const deadlineMs = durationMs(env, 'NOVA_SCHEMA_MOVE_JOB_DEADLINE');
    if (deadlineMs !== undefined && deadlineMs < 1000) throw new ConfigError('NOVA_SCHEMA_MOVE_JOB_DEADLINE', 'a Job\'s deadline is whole seconds, at least 1s');
    return { runner: 'job', ...(deadlineMs === undefined ? {} : { deadlineSeconds: Math.floor(deadlineMs / 1000) }) };
  }
  if (runner !== 'process') throw new ConfigError('NOVA_SCHEMA_MOVE_RUNNER', `"${runner}" is neither job nor process`);
  const databaseUrl = env.NOVA_SCHEMA_MOVE_DATABASE_URL;
  if (databaseUrl === undefined || !/^postgres(ql)?:\/\/\S+$/u.test(databaseUrl)) throw new ConfigError('NOVA_SCHEMA_MOVE_DATABASE_URL', 'a postgresql:// URL of the migration login is required with NOVA_SCHEMA_MOVE_RUNNER=process');
  const backupDir = env.NOVA_SCHEMA_MOVE_BACKUP_DIR;
  if (backupDir === undefined || backupDir === '') throw new ConfigError('NOVA_SCHEMA_MOVE_BACKUP_DIR', 'a folder for backups is required with NOVA_SCHEMA_MOVE_RUNNER=process');
  // Tests only (operator/src/migration/crash-points.ts): kill this operator after a status write that
  // records one of these boundaries. Read with the process runner alone, so no cluster's operator has it.
  const crashAfter = parseCrashPoints(env.NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER);
  return { runner: 'process', databaseUrl, backupDir, env, ...(env.NOVA_SCHEMA_MOVE_CLI ? { cliPath: env.NOVA_SCHEMA_MOVE_CLI } : {}), ...(crashAfter.size > 0 ? { crashAfter } : {}) };
}

async function main(env: Env): Promise<number> {
  const level = env.NOVA_LOG_LEVEL === 'debug' ? 'debug' : 'info';
  const logger = jsonLogger({ component: 'nova-operator' }, level);
  const shutdownDeadlineMs = durationMs(env, 'NOVA_SHUTDOWN_TIMEOUT');
  if (shutdownDeadlineMs !== undefined && shutdownDeadlineMs <= 0) throw new ConfigError('NOVA_SHUTDOWN_TIMEOUT', 'must be longer than 0s');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const identity = env.NOVA_IDENTITY ?? `${hostname()}-${String(process.pid)}`;
  const { manager, close } = await createOperator({
    kubeConfig,
    leaseNamespace: env.NOVA_OPERATOR_NAMESPACE ?? env.POD_NAMESPACE ?? 'nova-system',
    leaseName: env.NOVA_LEASE_NAME ?? 'nova-operator',
    identity,
    leaseDurationMs: durationMs(env, 'NOVA_LEASE_DURATION'),
    renewDeadlineMs: durationMs(env, 'NOVA_RENEW_DEADLINE'),
    retryPeriodMs: durationMs(env, 'NOVA_RETRY_PERIOD'),
    watchNamespace: env.NOVA_WATCH_NAMESPACE === '' ? undefined : env.NOVA_WATCH_NAMESPACE,
    http: address(env, 'NOVA_HTTP_ADDRESS', '0.0.0.0:8080'),
    nginx: nginx(env),
    nats: nats(env),
    informerWatchdogMs: durationMs(env, 'NOVA_INFORMER_WATCHDOG'),
    prometheusAddress: prometheus(env),
    schemaMove: schemaMove(env),
    logger,
  });
  shutdownOnSignals(() => manager.shutdown(), logger, { deadlineMs: shutdownDeadlineMs });
  const url = await manager.start();
  logger.info('operator started', { identity, ops: url });
  const outcome = await manager.done();
  if (outcome === 'lost') {
    logger.error('lost leadership; exiting so a fresh process campaigns again');
    await manager.shutdown();
    await close();
    return 1;
  }
  await close();
  logger.info('stopped');
  return 0;
}

main(process.env).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'operator failed to start', error: error instanceof Error ? { name: error.name, message: error.message } : String(error) })}\n`);
    process.exitCode = 1;
  },
);
