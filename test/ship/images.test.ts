/**
 * Every deployable's image, built and run for real: the local FROM-scratch Node 24 bases (see
 * @nova/testbed's images/base-images.ts), then the repository's Dockerfile for each workspace whose package.json
 * has a `nova` field, built with buildah and started with podman on the host network against the
 * test bed (kube-apiserver, NATS, PostgreSQL). Each must answer /healthz and /metrics, run as a
 * non-root user, hold no dev dependency, and exit cleanly on SIGTERM within the grace period the
 * chart gives its pod; none holds the PostgreSQL client. The image stage 7's Jobs run (the Dockerfile's
 * `schema-move` target over the user service's runtime, examples/stages/stage-7-database.yaml) must run
 * nova-schema-move where the Job runner calls it (CLI_IN_IMAGE): it moves a context of a fleet database
 * on "before" and back from inside the image, and takes the backup step there (pg_dump of the server's
 * major, which the test's PG_CLIENT_IMAGE copies from this machine: @nova/testbed's images/base-images.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUILD_BASE, buildBaseImages, buildImage, buildPgClientImage, component, discoverDeployables, freePort, PG_CLIENT_BASE, RUNTIME_BASE, waitFor, type Deployable } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { REPO_ROOT, renderChart } from './support/chart.js';
import { containerLogs, containerState, imageConfig, podmanResult, reapOrphanContainers, removeContainer, runInContainer, runInImage, startContainer } from './support/containers.js';
import { BACKUP_MOUNT, CLI_IN_IMAGE } from '../../operator/src/database/job-runner.js';
import { createLogger } from '@nova/platform';
import { FLEET_PLAN } from '@nova/schema-move';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { migrateSchemas } from '@nova/wiring';
import { createNamespaces, deleteNamespaces } from './support/kubectl.js';

const BUILD_TIMEOUT_MS = 30 * 60_000;
const deployables = discoverDeployables();
const runId = randomBytes(3).toString('hex');
const scratch = mkdtempSync(join(tmpdir(), 'nova-images-'));
const namespaces = [`ship-images-${runId}`];
let graceSeconds: Record<string, number> = {};
let kubeconfigCopy = '';

function imageTag(deployable: Deployable): string {
  return `localhost/nova/${deployable.name}:test`;
}

/** The chart's Deployment for a deployable: the operator's is nova-operator, the others carry their own name. */
function chartDeploymentName(deployable: Deployable): string {
  return deployable.name === 'operator' ? 'nova-operator' : deployable.name;
}

async function createDatabase(name: string): Promise<string> {
  const client = new pg.Client({ connectionString: component('postgres').url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return component('postgres').url.replace(/\/[^/]*$/, `/${name}`);
}

/** The contract's environment (the lead's notes), pointed at the test bed; test-only secrets. */
async function environment(deployable: Deployable, port: number, variant = 'image'): Promise<Record<string, string>> {
  return {
    NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`,
    NOVA_NATS_URL: component('nats').url,
    NOVA_DATABASE_URL: await createDatabase(`${variant}_${deployable.name.replace(/-/g, '_')}_${runId}`),
    NOVA_LOG_LEVEL: 'info',
    NOVA_NAMESPACE: namespaces[0] ?? 'default',
    NOVA_SHUTDOWN_TIMEOUT: '10s',
    NOVA_MAIN_BOT_TOKEN: `100000:${randomBytes(16).toString('hex')}`,
    NOVA_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NOVA_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    // Nothing listens there: liveness must not depend on Telegram.
    NOVA_TELEGRAM_API_ROOT: `http://127.0.0.1:${String(await freePort())}`,
    NOVA_PUBLIC_URL: 'https://bot.example.com',
    // The admin panel signs its session cookies with it (the chart's secrets.keys.NOVA_ADMIN_SESSION_KEY).
    NOVA_ADMIN_SESSION_KEY: randomBytes(32).toString('base64'),
    // The operator: the test bed's apiserver, its own namespace, Lease and (empty) watched namespace,
    // so it never touches the migrations of tests running beside it.
    KUBECONFIG: '/var/run/nova/kubeconfig',
    NOVA_OPERATOR_NAMESPACE: namespaces[0] ?? 'default',
    NOVA_WATCH_NAMESPACE: namespaces[0] ?? 'default',
    NOVA_LEASE_NAME: `nova-operator-images-${runId}`,
  };
}

beforeAll(async () => {
  await reapOrphanContainers();
  await createNamespaces(namespaces);
  // The kubeconfig is 0600 root's; the container runs as uid 1000.
  kubeconfigCopy = join(scratch, 'kubeconfig');
  copyFileSync(component('kube').kubeconfig, kubeconfigCopy);
  chmodSync(kubeconfigCopy, 0o644);
  const { objects } = await renderChart({ namespace: 'nova' });
  graceSeconds = Object.fromEntries(objects.filter((o) => o.kind === 'Deployment').map((o) => [
    o.metadata.name, (o.spec as { template: { spec: { terminationGracePeriodSeconds: number } } }).template.spec.terminationGracePeriodSeconds,
  ]));
  await buildBaseImages();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await deleteNamespaces(namespaces);
  rmSync(scratch, { recursive: true, force: true });
});

it('finds the deployables from the workspaces\' package.json (the operator at least)', () => {
  expect(deployables.map((d) => d.name)).toContain('operator');
});

describe.each(deployables.map((d) => [d.name, d] as const))('the %s image', (_name, deployable) => {
  const container = `nova-${deployable.name}-${runId}`;
  let port = 0;

  afterAll(async () => {
    await removeContainer(container);
  });

  it('builds from the Dockerfile on the local Node 24 bases, with OCI labels and a numeric non-root user', async () => {
    await buildImage({
      tag: imageTag(deployable),
      containerfile: join(REPO_ROOT, 'Dockerfile'),
      context: REPO_ROOT,
      buildArgs: { NODE_IMAGE: RUNTIME_BASE, BUILD_IMAGE: BUILD_BASE, WORKSPACE: deployable.workspace, DEPLOYABLE: deployable.name, PORT: String(deployable.port) },
    });
    const config = await imageConfig(imageTag(deployable));
    expect(config.User).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': deployable.name,
      'org.opencontainers.image.base.name': RUNTIME_BASE,
      'io.novabot.workspace': deployable.workspace,
    });
    expect(config.Entrypoint).toEqual(['node', 'dist/main.js']);
    expect(config.WorkingDir).toBe(`/app/${deployable.workspace}`);
  }, BUILD_TIMEOUT_MS);

  it('holds production dependencies only', async () => {
    const probe = (module: string): Promise<{ code: number; stderr: string }> => runInImage(imageTag(deployable), 'node', [
      '--input-type=module', '-e', `await import(${JSON.stringify(module)}).then(() => process.exit(0), () => process.exit(3))`,
    ]);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, deployable.workspace, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const [firstDependency] = Object.keys(manifest.dependencies ?? {});
    if (firstDependency !== undefined) expect(await probe(firstDependency)).toMatchObject({ code: 0 });
    for (const devOnly of ['typescript', 'jest', '@nova/testbed']) expect((await probe(devOnly)).code).toBe(3);
    // The PostgreSQL client is stage 7's Job image's alone (the Dockerfile's schema-move target).
    const pgClient = await runInImage(imageTag(deployable), 'node', ['-e', 'process.exit(require("fs").existsSync("/usr/lib/postgresql") ? 4 : 0)']);
    expect(pgClient.code).toBe(0);
  }, 120_000);

  it('starts against the test bed, answers /healthz and /metrics, and runs as a non-root user', async () => {
    port = await freePort();
    await startContainer({
      name: container,
      image: imageTag(deployable),
      env: await environment(deployable, port),
      mounts: { [kubeconfigCopy]: '/var/run/nova/kubeconfig' },
    });
    const failure = await waitFor(async () => (await fetch(`http://127.0.0.1:${String(port)}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    if (failure !== undefined) throw new Error(`/healthz of ${deployable.name}: ${failure}\n${await containerLogs(container)}`);
    if (deployable.name === 'operator') {
      // Readiness means its caches synced from the real apiserver through the mounted kubeconfig.
      const notReady = await waitFor(async () => (await fetch(`http://127.0.0.1:${String(port)}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok, { timeoutMs: 60_000, intervalMs: 250 });
      if (notReady !== undefined) throw new Error(`/readyz of the operator: ${notReady}\n${await containerLogs(container)}`);
    }
    const metrics = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# (HELP|TYPE) /m);
    const { pid, running } = await containerState(container);
    expect(running).toBe(true);
    // The process as the kernel sees it, not what the image claims.
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
    expect(Number(uid)).toBeGreaterThan(0);
  }, 120_000);

  it('stops cleanly on SIGTERM within the grace period of its pod', async () => {
    const grace = graceSeconds[chartDeploymentName(deployable)];
    expect(grace).toBeGreaterThan(0);
    expect((await podmanResult(['kill', '--signal', 'TERM', container])).code).toBe(0);
    const failure = await waitFor(async () => !(await containerState(container)).running, { timeoutMs: (grace ?? 0) * 1000, intervalMs: 200 });
    if (failure !== undefined) throw new Error(`${deployable.name} still runs ${String(grace)} s after SIGTERM: ${failure}\n${await containerLogs(container)}`);
    const { exitCode } = await containerState(container);
    if (exitCode !== 0) throw new Error(`${deployable.name} exited ${String(exitCode)} on SIGTERM\n${await containerLogs(container)}`);
  }, 120_000);
});

describe('stage 7\'s Job image (the Dockerfile\'s schema-move target over the user service\'s runtime, as the stage file names it)', () => {
  const image = deployables.find((d) => d.name === 'user-service');
  const jobImage = 'localhost/nova/schema-move:test';
  let pgMajor = '';
  let url = '';

  it('builds the schema-move target: the user service\'s runtime, the CLI as entry point, the PostgreSQL client of the server\'s major', async () => {
    if (image === undefined) throw new Error('no user-service workspace: the stage file names its runtime for the Job image');
    pgMajor = await buildPgClientImage();
    await buildImage({
      tag: jobImage,
      target: 'schema-move',
      containerfile: join(REPO_ROOT, 'Dockerfile'),
      context: REPO_ROOT,
      buildArgs: {
        NODE_IMAGE: RUNTIME_BASE, BUILD_IMAGE: BUILD_BASE, WORKSPACE: image.workspace, DEPLOYABLE: image.name, PORT: String(image.port),
        PG_MAJOR: pgMajor, PG_CLIENT_IMAGE: PG_CLIENT_BASE,
      },
    });
    const config = await imageConfig(jobImage);
    expect(config.User).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(config.Entrypoint).toEqual(['node', CLI_IN_IMAGE]);
    expect(config.Labels).toMatchObject({ 'org.opencontainers.image.title': 'schema-move', 'io.novabot.workspace': image.workspace });
  }, BUILD_TIMEOUT_MS);

  const cli = (command: string, args: readonly string[] = [], volumes: Readonly<Record<string, string>> = {}) => {
    const plan = JSON.stringify({ contexts: FLEET_PLAN.contexts.filter((c) => c.schema === 'user_service') });
    // As the Job runner's container runs it: `node CLI_IN_IMAGE`, the login in DATABASE_URL.
    return runInImage(jobImage, 'node', [CLI_IN_IMAGE, command, '--plan-json', plan, ...args], { DATABASE_URL: url }, volumes);
  };
  const lastLine = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');

  it('runs nova-schema-move where the Job runner calls it: a context moved out of public and back, from inside the image', async () => {
    // The user context on "before" (its table in public, a view in user_service), as the deployables' start-up leaves it.
    url = await createDatabase(`image_stage7_${runId}`);
    await migrateSchemas(url, [{ schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR }], createLogger({ name: 'images-test', level: 'warn' }));
    const states = (stdout: string) => (lastLine(stdout) as { status?: { schema: string; state: string }[] }).status?.map((c) => `${c.schema}:${c.state}`);
    const before = await cli('status');
    if (before.code !== 0) throw new Error(`nova-schema-move status in the image exited ${String(before.code)}: ${before.stderr}`);
    expect(states(before.stdout)).toEqual(['user_service:before']);
    const moved = await cli('move', ['--context', 'user_service']);
    expect({ code: moved.code, stderr: moved.code === 0 ? '' : moved.stderr }).toEqual({ code: 0, stderr: '' });
    expect(states((await cli('status')).stdout)).toEqual(['user_service:moved']);
    expect((await cli('reverse', ['--context', 'user_service'])).code).toBe(0);
    expect(states((await cli('status')).stdout)).toEqual(['user_service:before']);
  }, 180_000);

  it('takes the backup step inside the image: pg_dump to the Job\'s backup mount, its size and sha256 reported, pg_restore in the image reads it', async () => {
    if (url === '') throw new Error('the previous test did not prepare the database');
    // The Job mounts spec.database.job.backupClaim at BACKUP_MOUNT; here a folder the container's uid 1000 can write.
    const backups = join(scratch, 'backups');
    mkdirSync(backups);
    chmodSync(backups, 0o777);
    const dumped = await cli('backup', ['--dir', BACKUP_MOUNT], { [backups]: BACKUP_MOUNT });
    if (dumped.code !== 0) throw new Error(`nova-schema-move backup in the image exited ${String(dumped.code)}: ${dumped.stdout}${dumped.stderr}`);
    const { backup } = lastLine(dumped.stdout) as { backup: { path: string; bytes: number; sha256: string } };
    expect(backup.path.startsWith(`${BACKUP_MOUNT}/`)).toBe(true);
    const onHost = join(backups, basename(backup.path));
    expect(backup.bytes).toBe(statSync(onHost).size);
    expect(backup.sha256).toBe(createHash('sha256').update(readFileSync(onHost)).digest('hex'));
    // The restore step's tool, in the same image, reads the archive: the user table in public and its view.
    const listed = await runInImage(jobImage, `/usr/lib/postgresql/${pgMajor}/bin/pg_restore`, ['--list', backup.path], {}, { [backups]: BACKUP_MOUNT });
    expect({ code: listed.code, stderr: listed.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/ TABLE public users /);
    expect(listed.stdout).toMatch(/ VIEW user_service users /);
  }, 120_000);
});

describe('the dev target (skaffold dev)', () => {
  const operator = deployables.find((d) => d.name === 'operator');
  const container = `nova-operator-dev-${runId}`;

  afterAll(async () => {
    await removeContainer(container);
  });

  it('recompiles a synced TypeScript source and restarts the process on it', async () => {
    if (operator === undefined) throw new Error('no operator workspace');
    const tag = 'localhost/nova/operator:dev';
    await buildImage({
      tag,
      target: 'dev',
      containerfile: join(REPO_ROOT, 'Dockerfile'),
      context: REPO_ROOT,
      buildArgs: { NODE_IMAGE: RUNTIME_BASE, BUILD_IMAGE: BUILD_BASE, WORKSPACE: operator.workspace, DEPLOYABLE: operator.name, PORT: String(operator.port) },
    });
    const port = await freePort();
    // As the chart runs it in the dev profile: writable root (tsc writes dist/ in place).
    await startContainer({
      name: container,
      image: tag,
      env: await environment(operator, port, 'dev'),
      mounts: { [kubeconfigCopy]: '/var/run/nova/kubeconfig' },
      writableRoot: true,
    });
    const healthz = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${String(port)}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
    const up = await waitFor(healthz, { timeoutMs: 90_000, intervalMs: 250 });
    if (up !== undefined) throw new Error(`/healthz of the dev operator: ${up}\n${await containerLogs(container)}`);
    // What skaffold's sync does: copy the changed file into the container at the same path.
    const changed = join(scratch, 'main.ts');
    writeFileSync(changed, `${readFileSync(join(REPO_ROOT, 'operator', 'src', 'main.ts'), 'utf8')}\n// synced by the images test ${runId}\n`);
    expect((await podmanResult(['cp', changed, `${container}:/app/operator/src/main.ts`])).code).toBe(0);
    const restarted = await waitFor(async () => (await containerLogs(container)).includes('Restarting'), { timeoutMs: 90_000, intervalMs: 500 });
    if (restarted !== undefined) throw new Error(`no restart after the sync: ${restarted}\n${await containerLogs(container)}`);
    const compiled = await runInContainer(container, ['node', '-e', 'process.stdout.write(require("fs").readFileSync("/app/operator/dist/main.js", "utf8"))']);
    expect(compiled).toContain(`synced by the images test ${runId}`);
    const again = await waitFor(healthz, { timeoutMs: 60_000, intervalMs: 250 });
    if (again !== undefined) throw new Error(`/healthz after the restart: ${again}\n${await containerLogs(container)}`);
  }, BUILD_TIMEOUT_MS);
});
