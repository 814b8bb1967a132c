/**
 * Configuration from the environment (contracts.md), validated with zod at start: a bad or
 * missing value fails fast with one line per variable, and a secret's value is never echoed.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { registerSecret } from './redact.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** host:port, e.g. 0.0.0.0:8101 or [::]:8101 or 127.0.0.1:0 (any free port, for tests). */
export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:8101');

/** A duration like 10s or 1m30s, as milliseconds. */
export const duration = z.string().transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a duration like 500ms, 10s or 1m30s' });
    return z.NEVER;
  }
});

/** Comma-separated NATS server URLs. */
export const natsServers = z.string().transform((value, ctx) => {
  const servers = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0 || servers.some((s) => !/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(s) && !/^[A-Za-z0-9.-]+:\d+$/.test(s))) {
    ctx.addIssue({ code: 'custom', message: 'must be comma-separated NATS URLs, e.g. nats://nats:4222' });
    return z.NEVER;
  }
  return servers;
});

/** Comma-separated Telegram user ids (e.g. the admins: the panel and the main bot read the same list). */
export const telegramUserIds = z.string().transform((value, ctx) => {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0 || ids.some((id) => !/^[1-9]\d{0,15}$/.test(id))) {
    ctx.addIssue({ code: 'custom', message: 'must be comma-separated Telegram user ids, e.g. 123456789,987654321' });
    return z.NEVER;
  }
  return new Set(ids.map((id) => BigInt(id)));
});

/** Base64 of at least `minBytes` random bytes (`openssl rand -base64 32`), as bytes; the message never repeats the value. */
export const base64Key = (minBytes: number) =>
  z.string().transform((value, ctx) => {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length < minBytes || bytes.toString('base64').replace(/=+$/, '') !== value.trim().replace(/=+$/, '')) {
      ctx.addIssue({ code: 'custom', message: `must be base64 of at least ${String(minBytes)} random bytes (openssl rand -base64 ${String(minBytes)})` });
      return z.NEVER;
    }
    return bytes;
  });

/** A URL with a scheme; the message never repeats the value (it may hold a password). */
export const url = (schemes: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a ${schemes.join(' or ')} URL`);

const SECRET_MARK = 'nova:secret';

/** Marks a field as secret: its value is registered with the log scrubber when loaded. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ description: SECRET_MARK });
}

/** The fields every deployable shares (contracts.md); `port` is the service's default port. */
export function commonConfig(port: number) {
  return {
    NOVA_HTTP_ADDRESS: hostPort.default(`0.0.0.0:${String(port)}`),
    NOVA_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    NOVA_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name').default('default'),
    NOVA_SHUTDOWN_TIMEOUT: duration.default(10_000),
    OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
  };
}

/**
 * NOVA_NATS_REPLICAS: how many copies JetStream keeps of each stream and KV bucket this process
 * creates (1 on a single server; 3 on a three-node cluster, so a node's death loses nothing that
 * was acknowledged). At most the cluster's size. Every process of a fleet must run with the same
 * value: the streams are brought to the declared settings at each start (docs/bus.md).
 */
export const natsReplicas = z.coerce.number().int().min(1, 'must be 1 to 5 (3 on a three-node cluster)').max(5, 'must be 1 to 5 (3 on a three-node cluster)').default(1);

/** NOVA_NATS_URL and NOVA_NATS_REPLICAS, for processes that use NATS. */
export const natsConfig = { NOVA_NATS_URL: natsServers, NOVA_NATS_REPLICAS: natsReplicas };

export const ROUTING_MODES = ['off', 'kv'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

/**
 * NOVA_ROUTING: `off` (default) sends everything to the process's own side, as before any bus
 * migration; `kv` routes each chat by the weights the operator writes into NATS KV (Decided 11).
 * Every process of a fleet must run with the same value (docs/sre.md, "Stage 2 on the real fleet").
 */
export const routingConfig = { NOVA_ROUTING: z.enum(ROUTING_MODES).default('off') };

/**
 * NOVA_DATABASE_URL: the deployable's runtime login (secret: it holds the password).
 * NOVA_MIGRATION_DATABASE_URL, optional: the login that owns the tables and runs the start-up
 * migrations and stage 7's "before" arrangement; unset, the runtime login does both, as before
 * (docs/packaging.md, "One database login per deployable").
 */
export const databaseConfig = {
  NOVA_DATABASE_URL: secret(url(['postgres', 'postgresql'])),
  NOVA_MIGRATION_DATABASE_URL: secret(url(['postgres', 'postgresql'])).optional(),
};

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses `env` with `schema`. Empty strings count as unset (Kubernetes renders an absent
 * optional value as ""). Throws ConfigError listing every bad variable, one per line.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = issue.path.map(String).join('.') || '(environment)';
      const message = issue.code === 'invalid_type' && input[variable] === undefined ? 'is required but not set' : issue.message;
      return `${variable}: ${message}`;
    });
    throw new ConfigError(problems);
  }
  for (const [key, field] of Object.entries(schema.shape)) {
    if (isSecretField(field as z.ZodType)) registerSecret(input[key]);
  }
  return result.data;
}

function isSecretField(field: z.ZodType): boolean {
  let current: z.ZodType | undefined = field;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current.meta()?.description === SECRET_MARK) return true;
    const inner: unknown = (current as { unwrap?: () => unknown }).unwrap?.();
    current = inner instanceof z.ZodType ? inner : undefined;
  }
  return false;
}
