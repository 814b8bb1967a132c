/**
 * Runs a database step as a local process (tests, the demo: one machine, no kubelet): the
 * `nova-schema-move` CLI from the repository's build, with the migration login from the operator's
 * own environment (NOVA_SCHEMA_MOVE_DATABASE_URL). The login goes to the child as its DATABASE_URL
 * only — never on its command line (`ps` shows arguments), in a log line, in status or in an Event;
 * whatever text comes back is scrubbed of it. The child gets no other part of the operator's
 * environment (no kubeconfig), but PATH, NOVA_PG_BIN, and the engine's test-only fault variable when
 * the operator itself has one (tests only: nothing sets it in a cluster).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../runtime/log.js';
import { silentLogger } from '../runtime/log.js';
import { cliArguments, parseCliResult, planOf, scrubSecrets, type RunOutcome, type RunRequest, type SchemaMoveRunner, SchemaMoveRunnerError } from './operation.js';

/** Where the CLI is in this repository's build, beside operator/dist. */
export const DEFAULT_CLI = fileURLToPath(new URL('../../../packages/schema-move/dist/cli.js', import.meta.url));

/** Variables the child may inherit from the operator besides its DATABASE_URL. */
const PASSED_ON = ['PATH', 'NOVA_PG_BIN', 'TMPDIR', 'NOVA_SCHEMA_MOVE_TEST_TAMPER'] as const;

const MAX_OUTPUT = 1 << 20;

export interface ProcessRunnerOptions {
  /** postgresql:// URL of the migration login (a secret). */
  readonly databaseUrl: string;
  /** Where backups are written (a folder of the operator's host). */
  readonly backupDir: string;
  readonly cliPath?: string;
  /** A step that runs longer is killed and fails (default 10 min). */
  readonly timeoutMs?: number;
  /** The operator's environment, for the variables passed on. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
}

export class ProcessRunner implements SchemaMoveRunner {
  private readonly secrets: readonly string[];

  constructor(private readonly options: ProcessRunnerOptions) {
    let password = '';
    try {
      password = decodeURIComponent(new URL(options.databaseUrl).password);
    } catch {
      // Not a URL: the whole value is scrubbed all the same.
    }
    this.secrets = [options.databaseUrl, password];
  }

  async run(request: RunRequest, signal: AbortSignal): Promise<RunOutcome> {
    const logger = this.options.logger ?? silentLogger;
    const args = [this.options.cliPath ?? DEFAULT_CLI, ...cliArguments(request, this.options.backupDir), '--plan-json', JSON.stringify(planOf(request.migration))];
    const env: Record<string, string> = { DATABASE_URL: this.options.databaseUrl };
    const source = this.options.env ?? process.env;
    for (const name of PASSED_ON) {
      const value = source[name];
      if (value !== undefined) env[name] = value;
    }
    const started = Date.now();
    const { code, stdout, stderr } = await this.spawnCli(args, env, signal);
    const scrubbed = scrubSecrets(stderr, this.secrets).trim();
    logger.debug('nova-schema-move finished', { id: request.id, operation: request.operation.kind, code, ms: Date.now() - started, stderr: scrubbed.slice(-2000) });
    const result = parseCliResult(request.operation, scrubSecrets(stdout, this.secrets));
    return { state: 'finished', result: result.ok ? result : { ...result, message: scrubSecrets(result.message, this.secrets) } };
  }

  private spawnCli(args: readonly string[], env: Record<string, string>, signal: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { if (stdout.length < MAX_OUTPUT) stdout += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { if (stderr.length < MAX_OUTPUT) stderr += chunk; });
      // Leadership lost or the operator stopping: the step is one transaction per swap, so a killed
      // child leaves nothing half done, and the next leader runs the step again from status.
      const stop = () => child.kill('SIGTERM');
      signal.addEventListener('abort', stop, { once: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.timeoutMs ?? 600_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        reject(new SchemaMoveRunnerError(`could not start nova-schema-move (${args[0] ?? ''}): ${error.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        resolve({ code, stdout, stderr });
      });
    });
  }
}
