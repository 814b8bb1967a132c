/**
 * `kubectl nova`, run through the real kubectl's plugin discovery against the real control plane,
 * as a person bound only to the nova-sre role (operator/rbac/sre-clusterrole.yaml): every verb,
 * both outputs, the live watch, refusals with clear errors, and control that survives a GitOps
 * re-apply of the migration's file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { component, Stack, writeKubeconfigForUser } from '@nova/testbed';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually, suffix } from './support/kube.js';
import { kubectl, kubectlStreaming } from './support/kubectl.js';
import { describeWrite, migrationSpec, MIGRATIONS, Migrations, passingAnalysis, RouteObjects } from './support/migrations.js';
import { WriteRecorder } from './support/record-writes.js';
import { operatorIdentity, startOperator, type OperatorIdentity, type RunningOperator } from './support/operator-process.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let operator: RunningOperator;
let migrations: Migrations;
let routes: RouteObjects;
let sre: string;
const cleanup: KubernetesObject[] = [];

const STEPS = [{ setWeight: 20 }, { pause: { duration: '3s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }];

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'kubectl-nova');
  identity = await operatorIdentity(admin, stack);
  operator = await startOperator(stack, identity, { name: 'operator-cli', watchNamespace: namespace });
  migrations = new Migrations(admin, namespace);
  routes = new RouteObjects(admin, namespace);
  // A person with the nova-sre role in this namespace, nothing else.
  const user = `sre-${suffix()}`;
  const role = parse(readFileSync(new URL('../../operator/rbac/sre-clusterrole.yaml', import.meta.url), 'utf8')) as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
  const roleName = `nova-sre-${suffix()}`;
  const objects: KubernetesObject[] = [
    { ...role, metadata: { ...role.metadata, name: roleName } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'sre', namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] } as KubernetesObject,
  ];
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const object of objects) await api.create(object);
  cleanup.push(...objects);
  sre = await writeKubeconfigForUser(component('kube'), stack.path(), user);
});

afterAll(async () => {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const object of cleanup) await api.delete(object).catch(() => undefined);
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

const nova = (...args: string[]) => kubectl(sre, ['nova', ...args, '-n', namespace]);

async function migration(name: string, steps = STEPS): Promise<void> {
  await routes.create('istio', `vs-${name}`);
  await migrations.create(name, migrationSpec('istio', `vs-${name}`, `/${name}/`, steps, passingAnalysis()));
}

describe('kubectl nova', () => {
  it('status: a table of every migration, a page for one, JSON for tools', async () => {
    await migration('seen');
    // Every status the migration goes through, to tell which write left the pause if one ever does.
    const recorder = await WriteRecorder.start(admin, { ...MIGRATIONS, namespace, name: 'seen' });
    await migrations.waitFor('seen', 'at the manual pause', (s) => s.phase === 'Paused' && s.weight === 50);
    const listed = await nova('status');
    expect(listed.code).toBe(0);
    const [header = '', row = ''] = listed.stdout.trimEnd().split('\n');
    recorder.stop();
    if (!row.includes('Paused')) throw new Error(`the pause was left without a resume; the migration's writes:\n${recorder.writes().map(describeWrite).join('\n')}`);
    expect(header.split(/\s{3,}/u)).toEqual(['NAME', 'PHASE', 'WEIGHT', 'STEP', 'LAST CHECK', 'TARGET', 'LEGACY', 'CHECKS P/F/I/E']);
    expect(row.split(/\s{3,}/u).slice(0, 6)).toEqual(['seen', 'Paused', '50%', '4/5 pause (approval)', 'Pass', 'err 0.00% p95 20ms n=1000']);
    const one = await nova('status', 'seen');
    expect(one.stdout).toMatch(/^Name: +seen$/mu);
    expect(one.stdout).toMatch(/^Route: +bot\.example\.com\/seen\/ {2}nova-monolith:8099 -> svc-seen:8100 \(istio vs-seen\)$/mu);
    expect(one.stdout).toMatch(/^Analysis: +Passed: errors 0\.00%/mu);
    expect(one.stdout).toMatch(/^ {2}Paused: +True AwaitingApproval: step 4 waits for a person/mu);
    const json = JSON.parse((await nova('status', '-o', 'json')).stdout) as { name: string; phase: string; weight: number; step: number; analysis: { lastResult: string } }[];
    expect(json).toEqual([expect.objectContaining({ name: 'seen', phase: 'Paused', weight: 50, step: 4, analysis: expect.objectContaining({ lastResult: 'Pass' }) })]);
  });

  it('resume passes a manual pause; promote skips to 100 %', async () => {
    const resumed = await nova('resume', 'seen');
    expect(resumed.code).toBe(0);
    // The plugin reports as soon as the step was left; promotion itself may still be a write away.
    expect(resumed.stdout).toMatch(/^seen: step 4 approved; now (Progressing|Promoted) at /mu);
    await migrations.waitFor('seen', 'Promoted', (s) => s.phase === 'Promoted' && s.weight === 100);
    expect(await routes.targetWeight('istio', 'vs-seen', 'seen')).toBe(100);
    // An hour-long timed pause, so the migration is surely still in it when promote arrives.
    await migration('skip', [{ setWeight: 20 }, { pause: { duration: '1h' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]);
    await migrations.waitFor('skip', 'at the timed pause', (s) => s.currentStep === 1 && s.weight === 20);
    const promoted = await nova('promote', 'skip');
    expect(promoted.stdout).toMatch(/^skip: promote done; now (Promoted|Progressing) with 100% on the target/mu);
    await migrations.waitFor('skip', 'Promoted at 100 %', (s) => s.phase === 'Promoted' && s.weight === 100);
    const again = await nova('promote', 'skip');
    expect(again).toMatchObject({ code: 1, stderr: 'error: skip is already Promoted\n' });
  });

  it('pause holds at the current step and weight; resume lifts it', async () => {
    // An hour-long timed pause: the person's pause always lands inside it, however slowly the
    // plugin's process starts (a 2 s pause once ended first and the migration was Promoted).
    // That a person's pause outlives a timed pause's end is the engine's rule, checked on a
    // virtual clock in operator/src/migration/engine.test.ts.
    await migration('held', [{ setWeight: 20 }, { pause: { duration: '1h' } }, { setWeight: 100 }]);
    await migrations.waitFor('held', 'in the timed pause at 20 %', (s) => s.currentStep === 1 && s.weight === 20);
    const paused = await nova('pause', 'held');
    expect(paused).toMatchObject({ code: 0 });
    expect(paused.stdout).toMatch(/^held paused at 2\/3 .+ with 20% on the target$/mu);
    expect(await migrations.status('held')).toMatchObject({ phase: 'Paused', weight: 20, currentStep: 1 });
    expect((await migrations.get('held')).metadata?.annotations?.['novabot.io/paused']).toBe('true');
    expect((await nova('pause', 'held')).stdout).toBe('held is already paused\n');
    const resumed = await nova('resume', 'held');
    expect(resumed.stdout).toMatch(/^held: pause lifted; now Progressing at 2\/3 /mu);
    await migrations.waitFor('held', 'the timed pause running again', (s) => s.phase === 'Progressing' && s.currentStep === 1 && s.weight === 20);
    expect((await migrations.get('held')).metadata?.annotations?.['novabot.io/paused']).toBeUndefined();
    const nothing = await nova('resume', 'held');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^error: nothing to resume for held: it is Progressing/u);
    await nova('promote', 'held');
    await migrations.waitFor('held', 'Promoted', (s) => s.phase === 'Promoted' && s.weight === 100);
    expect((await nova('pause', 'held')).stderr).toBe('error: held is Promoted: nothing moves, nothing to pause\n');
  });

  it('abort rolls back to 100 % legacy at once; retry starts again from step 1', async () => {
    await migration('brake');
    await migrations.waitFor('brake', 'at 50 %', (s) => s.weight === 50);
    const aborted = await nova('abort', 'brake');
    expect(aborted.stdout).toMatch(/^brake: abort done; now RolledBack with 0% on the target \(aborted by a person at 4\/5 pause \(approval\) with 50% on the target/mu);
    await migrations.waitFor('brake', 'all on legacy', (s) => s.phase === 'RolledBack' && s.weight === 0);
    expect(await routes.targetWeight('istio', 'vs-brake', 'brake')).toBe(0);
    expect(await nova('abort', 'brake')).toMatchObject({ code: 1, stderr: 'error: brake is already RolledBack\n' });
    expect((await nova('promote', 'brake')).stderr).toBe('error: brake is RolledBack: retry it first (kubectl nova retry brake)\n');
    const retried = await nova('retry', 'brake');
    expect(retried.stdout).toMatch(/^brake: retry done; now Progressing/mu);
    await migrations.waitFor('brake', 'back at the manual pause', (s) => s.phase === 'Paused' && s.weight === 50);
  });

  it('control survives a GitOps re-apply of the migration file: neither undone nor repeated', async () => {
    await routes.create('istio', 'vs-gitops');
    const file = join(stack.path(), 'gitops.yaml');
    const manifest = { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name: 'gitops', namespace }, spec: { ...migrationSpec('istio', 'vs-gitops', '/gitops/', STEPS, passingAnalysis()), paused: false } };
    writeFileSync(file, stringify(manifest));
    const adminConfig = component('kube').kubeconfig;
    expect((await kubectl(adminConfig, ['apply', '--server-side', '--field-manager=gitops', '-f', file])).code).toBe(0);
    await migrations.waitFor('gitops', 'at 50 %', (s) => s.weight === 50);
    await nova('abort', 'gitops');
    await migrations.waitFor('gitops', 'rolled back', (s) => s.phase === 'RolledBack' && s.weight === 0);
    // The GitOps tool syncs the file again (its fields, its field manager): the rollback stands.
    const reapplied = await kubectl(adminConfig, ['apply', '--server-side', '--field-manager=gitops', '-f', file]);
    expect(reapplied.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await migrations.status('gitops')).toMatchObject({ phase: 'RolledBack', weight: 0 });
    expect((await migrations.get('gitops')).metadata?.annotations?.['novabot.io/abort']).toMatch(/^\d{4}-/u);
  });

  it('watch: the live table, and one JSON line per change', async () => {
    const human = kubectlStreaming(sre, ['nova', 'watch', '-n', namespace, '--timeout', '90s']);
    const json = kubectlStreaming(sre, ['nova', 'watch', '-n', namespace, '-o', 'json', '--timeout', '90s']);
    await eventually('both watches printed the current migrations', () => human.output().includes('NAME') && json.output().includes('"EXISTING"'));
    // Past the apiserver's 3 s wait for a fresh cache, while the operator's Lease renewals move etcd
    // ahead of the NovaMigrations' cache: a watch without resourceVersion ends in an ERROR here, which
    // once froze the table (DEVELOPERS.md). The plugin watches from its list's version instead.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await migration('live', [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]);
    await eventually('the human watch shows the new migration at 30 %', () => /^live +Paused +30% +2\/3 pause \(approval\)/mu.test(human.output()), 30_000);
    const jsonLines = (): { type: string; migration: { name: string; phase: string; weight: number } }[] =>
      json.output().trim().split('\n').filter((line) => line.endsWith('}')).map((line) => JSON.parse(line) as { type: string; migration: { name: string; phase: string; weight: number } });
    // The two watches are two streams: the JSON one may print Progressing at 30 % before its Paused line.
    await eventually('the JSON watch has its changes up to the pause', () => jsonLines().some((line) => line.migration.name === 'live' && line.migration.phase === 'Paused' && line.migration.weight === 30), 30_000);
    const lines = jsonLines();
    const live = lines.filter((line) => line.migration.name === 'live');
    expect(live[0]?.type).toBe('ADDED');
    expect(live.at(-1)?.migration).toMatchObject({ phase: 'Paused', weight: 30 });
    // From the list's version: what existed is not replayed as ADDED, and no watch failed.
    expect(lines.filter((line) => line.type === 'ADDED').map((line) => line.migration.name)).toEqual(['live']);
    expect(human.output()).not.toContain('watch interrupted');
    human.child.kill('SIGINT');
    expect(await human.exited).toBe(0);
    json.child.kill('SIGTERM');
    await json.exited;
  });

  it('refuses bad usage with exit 2 and unknown migrations with exit 1, saying what is wrong', async () => {
    expect(await nova('frobnicate')).toMatchObject({ code: 2 });
    expect((await nova('frobnicate')).stderr).toContain('unknown command "frobnicate"');
    const bare = await kubectl(sre, ['nova', 'abort']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('abort needs the name of a migration');
    expect(await nova('abort', 'ghost')).toMatchObject({ code: 1, stderr: `error: novamigration "ghost" not found in namespace "${namespace}"\n` });
    const help = await kubectl(sre, ['nova', '--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('kubectl nova status');
    // The SRE role cannot write status: the plugin never needs to.
    const statusWrite = await kubectl(sre, ['patch', 'nm', 'seen', '-n', namespace, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Promoted"}}']);
    expect(statusWrite.code).not.toBe(0);
    expect(statusWrite.stderr).toContain('forbidden');
    expect(operator.process.running).toBe(true);
  });
});
