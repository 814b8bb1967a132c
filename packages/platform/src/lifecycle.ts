/**
 * runService: the one way a Nova process starts and stops.
 *
 * start:  config (fail fast, exit 78) → telemetry → logger, metrics, HTTP server listening
 *         (/healthz 200; /readyz 503 with the reason while starting; the app's paths 503) → the
 *         app's start() → its paths open; /readyz answers 200 once every readiness check passes.
 *         A dependency that is down at start (NATS: `startup` in the bus's connect options;
 *         PostgreSQL: the contexts' `prepareDatabase`; both through waitForDependency) is
 *         waited for, its reason on /readyz, until it is there or the process is stopped: a
 *         process that exited instead would be restarted by Kubernetes with growing delays.
 *         Anything else start() throws still exits 1.
 * stop:   SIGTERM/SIGINT → /readyz 503 → the HTTP server stops accepting and finishes the
 *         requests in flight → the app's stop steps, newest first (a bus stops its consumers,
 *         waits for handlers in flight, then drains NATS) → telemetry flushed → exit 0.
 *         Past NOVA_SHUTDOWN_TIMEOUT, or on a second signal, it exits 1 at once.
 */
import { z } from 'zod';
import { commonConfig, loadConfig, type Env } from './config.js';
import { ConfigError } from './errors.js';
import { HttpServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics, type Side } from './metrics.js';
import { Readiness } from './readiness.js';
import { scrubSecrets } from './redact.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

type CommonShape = ReturnType<typeof commonConfig>;
export type CommonConfig = z.output<z.ZodObject<CommonShape>>;

export interface ServiceContext<Shape extends z.ZodRawShape> {
  readonly name: string;
  readonly side: Side;
  readonly config: CommonConfig & z.output<z.ZodObject<Shape>>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly http: HttpServer;
  readonly readiness: Readiness;
  /** Aborted when shutdown begins: long waits in the app should give up on it. */
  readonly shutdownSignal: AbortSignal;
  /** For waits during start (e.g. connectServiceBus's `startup`): /readyz shows what is awaited. */
  readonly startup: StartupProgress;
  /** A step of the graceful stop; steps run newest first, after the HTTP server has stopped. */
  onStop(name: string, step: () => Promise<void>): void;
}

/**
 * What a wait during start reports: `waiting(reason)` while a dependency is not there yet (the
 * reason goes to /readyz, so it must carry no secret), `waiting(undefined)` once it is. The wait
 * gives up only when `signal` aborts (the process is stopping).
 */
export interface StartupProgress {
  readonly signal: AbortSignal;
  waiting(reason: string | undefined): void;
}

/** The readiness check that fails while start() runs; its reason says what start waits for. */
export const STARTING_CHECK = 'starting';

export interface ServiceDefinition<Shape extends z.ZodRawShape> {
  /** Process name: log `name`, default OTEL service name, e.g. "user-service". */
  readonly name: string;
  /** `legacy` for the monolith, `target` for a new service (the `side` metric label). */
  readonly side: Side;
  /** The service's port (contracts.md), the default of NOVA_HTTP_ADDRESS. */
  readonly port: number;
  /** Variables beyond the common ones (natsConfig, databaseConfig, the service's own). */
  readonly config?: Shape;
  start(context: ServiceContext<Shape>): Promise<void>;
  /** Runs first among the stop steps. */
  stop?(context: ServiceContext<Shape>): Promise<void>;
  /** For tests: the environment (default process.env), and whether to exit the process. */
  readonly env?: Env;
  readonly exitProcess?: boolean;
  readonly handleSignals?: boolean;
}

export interface RunningService<Shape extends z.ZodRawShape> {
  readonly context: ServiceContext<Shape>;
  /** Starts the graceful stop (as SIGTERM does); resolves with the exit code. */
  shutdown(reason: string): Promise<number>;
  /** Resolves with the exit code once the service has stopped. */
  readonly stopped: Promise<number>;
}

/** sysexits.h EX_CONFIG: the environment is wrong, restarting will not help. */
export const EXIT_CONFIG = 78;

export async function runService<Shape extends z.ZodRawShape = z.ZodRawShape>(definition: ServiceDefinition<Shape>): Promise<RunningService<Shape>> {
  const exitProcess = definition.exitProcess ?? true;
  const env = definition.env ?? process.env;
  let config: CommonConfig & z.output<z.ZodObject<Shape>>;
  try {
    const schema = z.object({ ...commonConfig(definition.port), ...(definition.config ?? {}) });
    config = loadConfig(schema, env) as typeof config;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`${definition.name}: invalid configuration: ${problem}\n`);
      if (exitProcess) process.exit(EXIT_CONFIG);
    }
    throw error;
  }

  const telemetry: Telemetry = startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? definition.name, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ name: definition.name, level: config.NOVA_LOG_LEVEL, base: { namespace: config.NOVA_NAMESPACE, side: definition.side } });
  const metrics = new Metrics({ namespace: config.NOVA_NAMESPACE, side: definition.side });
  const readiness = new Readiness();
  const http = new HttpServer({ address: config.NOVA_HTTP_ADDRESS, metrics, readiness, logger });
  const abort = new AbortController();
  const steps: { name: string; step: () => Promise<void> }[] = [];
  const context: ServiceContext<Shape> = {
    name: definition.name,
    side: definition.side,
    config,
    logger,
    metrics,
    http,
    readiness,
    shutdownSignal: abort.signal,
    startup: {
      signal: abort.signal,
      waiting: (reason) => { readiness.hold(STARTING_CHECK, reason === undefined ? 'starting' : `starting: ${scrubSecrets(reason)}`); },
    },
    onStop: (name, step) => { steps.push({ name, step }); },
  };

  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => { resolveStopped = resolve; });
  let stopping: Promise<number> | undefined;

  const finish = (code: number): number => {
    resolveStopped(code);
    if (exitProcess) {
      // pino writes asynchronously: flush before the process goes.
      logger.flush(() => process.exit(code));
    }
    return code;
  };

  const runStopSteps = async (): Promise<void> => {
    if (definition.stop) steps.push({ name: 'service', step: () => definition.stop?.(context) ?? Promise.resolve() });
    for (const { name, step } of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error, step: name }, 'a stop step failed');
      }
    }
  };

  const shutdown = (reason: string, exitCode = 0): Promise<number> => {
    if (stopping) return stopping;
    const deadlineMs = config.NOVA_SHUTDOWN_TIMEOUT;
    logger.info({ reason, deadlineMs }, 'shutting down');
    readiness.startDraining();
    abort.abort(new Error(`shutting down: ${reason}`));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        logger.error({ deadlineMs }, 'shutdown deadline passed; exiting with work unfinished');
        http.destroy();
        resolve(1);
      }, deadlineMs);
    });
    const graceful = (async () => {
      await http.close();
      await runStopSteps();
      await telemetry.shutdown().catch((error: unknown) => { logger.warn({ err: error }, 'telemetry flush failed'); });
      logger.info('stopped');
      return exitCode;
    })();
    stopping = Promise.race([graceful, deadline]).then((code) => {
      clearTimeout(timer);
      return finish(code);
    });
    return stopping;
  };

  if (definition.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.error({ signal }, 'second signal during shutdown; exiting now');
        finish(1);
        return;
      }
      void shutdown(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: error }, 'uncaught exception');
      void shutdown('uncaught exception', 1);
    });
    process.on('unhandledRejection', (reason) => {
      logger.fatal({ err: reason }, 'unhandled promise rejection');
      void shutdown('unhandled rejection', 1);
    });
  }

  try {
    readiness.hold(STARTING_CHECK, 'starting');
    http.holdAppRoutes();
    await http.listen();
    await definition.start(context);
    readiness.release(STARTING_CHECK);
    http.openAppRoutes();
    const address = http.address;
    logger.info({ address: `${address.address}:${String(address.port)}`, tracing: telemetry.exporting }, 'started');
  } catch (error) {
    // Stopped while it waited (SIGTERM during a NATS outage): the graceful stop exits, 0.
    if (stopping !== undefined) {
      logger.info({ reason: scrubSecrets(error instanceof Error ? error.message : String(error)) }, 'start given up: shutting down');
      return { context, shutdown, stopped };
    }
    await http.close().catch(() => undefined);
    logger.fatal({ err: error }, `start failed: ${scrubSecrets(error instanceof Error ? error.message : String(error))}`);
    await runStopSteps();
    await telemetry.shutdown().catch(() => undefined);
    finish(1);
    throw error;
  }
  return { context, shutdown, stopped };
}
