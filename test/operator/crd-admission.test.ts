/**
 * The NovaMigration CRD on the real apiserver is the first line of defence: defaults are filled
 * in, invalid migrations are refused at admission with a message a person understands (and
 * nothing is stored), status is only writable through /status, and every file in
 * examples/stages is admitted and encodes the seed's completion rule.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { NovaMigration } from '../../operator/src/api/novamigration.js';
import { apiFailure } from '../../operator/src/providers/kube-writes.js';
import { adminKubeConfig, createNamespace, deleteNamespace, suffix } from './support/kube.js';
import { migrationSpec, MIGRATIONS } from './support/migrations.js';
import { FLEET_STAGE_7_CONTEXTS } from '@nova/schema-move';

const EXAMPLES = new URL('../../examples/stages/', import.meta.url);

let admin: KubeConfig;
let custom: CustomObjectsApi;
let namespace: string;

beforeAll(async () => {
  admin = adminKubeConfig();
  custom = admin.makeApiClient(CustomObjectsApi);
  namespace = await createNamespace(admin, 'crd');
});

afterAll(async () => {
  await deleteNamespace(admin, namespace);
});

const VALID_STEPS = [{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 100 }];

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return migrationSpec('istio', 'nova', '/webhook/', VALID_STEPS, extra);
}

async function create(name: string, spec: Record<string, unknown>, dryRun?: 'All'): Promise<NovaMigration> {
  const body = { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name }, spec };
  return (await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body, dryRun })) as NovaMigration;
}

describe('defaults', () => {
  it('fills in paused, onDelete and the analysis settings', async () => {
    const stored = await create(`defaults-${suffix()}`, valid({ analysis: { thresholds: {} } }));
    expect(stored.spec).toMatchObject({ paused: false, onDelete: 'restoreLegacy', analysis: { interval: '30s', failureLimit: 2, thresholds: { minRequests: 50 } } });
  });
});

/** A bus migration (Decided 11): no HTTP route, the context's weight in NATS KV. */
function validNats(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { legacy: { service: 'nova-monolith', port: 8099 }, target: { service: 'user-service', port: 8101 }, trafficProvider: { nats: { context: 'user' } }, steps: VALID_STEPS, ...extra };
}

/** A database migration (stage 7): spec.database instead of a traffic provider, no legacy/target. */
function validDatabase(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    database: { contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }, { name: 'bot', schema: 'bot_service', tables: ['user_bots'] }] },
    steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { pause: { duration: '1m' } }, { moveSchema: { context: 'bot' } }],
    ...extra,
  };
}

type Case = readonly [what: string, spec: Record<string, unknown>, message: string];

const invalid: readonly Case[] = [
  ['a weight above 100', valid({ steps: [{ setWeight: 101 }, { setWeight: 100 }] }), 'should be less than or equal to 100'],
  ['a negative weight', valid({ steps: [{ setWeight: -1 }, { setWeight: 100 }] }), 'should be greater than or equal to 0'],
  ['legacy and target the same', valid({ target: { service: 'nova-monolith', port: 8099 } }), 'spec.target: Invalid value: legacy and target must be different services'],
  ['no traffic provider', valid({ trafficProvider: {} }), 'trafficProvider must name exactly one provider'],
  ['two traffic providers', valid({ trafficProvider: { istio: { virtualService: 'a' }, gatewayAPI: { httpRoute: 'b' } } }), 'trafficProvider must name exactly one provider'],
  ['no steps', valid({ steps: [] }), 'should have at least 1 items'],
  ['a step that is two things', valid({ steps: [{ setWeight: 10, pause: {} }, { setWeight: 100 }] }), 'each step is exactly one of setWeight, pause or analysis'],
  ['a step that is nothing', valid({ steps: [{}, { setWeight: 100 }] }), 'each step is exactly one of setWeight, pause or analysis'],
  ['ending short of 100 %', valid({ steps: [{ setWeight: 10 }, { setWeight: 50 }] }), 'the last setWeight step must be 100'],
  ['a zero pause', valid({ steps: [{ pause: { duration: '0s' } }, { setWeight: 100 }] }), 'a pause lasts from 1s to 336h'],
  ['a pause of over two weeks', valid({ steps: [{ pause: { duration: '400h' } }, { setWeight: 100 }] }), 'a pause lasts from 1s to 336h'],
  ['a pause in words', valid({ steps: [{ pause: { duration: 'ten minutes' } }, { setWeight: 100 }] }), 'should match'],
  ['an analysis step without spec.analysis', valid({ steps: [{ analysis: {} }, { setWeight: 100 }] }), 'an analysis step needs spec.analysis'],
  ['a path without its leading slash', valid({ route: { pathPrefix: 'webhook/' } }), 'spec.route.pathPrefix'],
  ['port 0', valid({ legacy: { service: 'nova-monolith', port: 0 } }), 'should be greater than or equal to 1'],
  ['an unknown delete policy', valid({ onDelete: 'explode' }), 'Unsupported value: "explode"'],
  ['an HTTP provider without a route', valid({ route: undefined }), 'spec.route is required'],
  ['a nats migration with an HTTP route', valid({ trafficProvider: { nats: { context: 'user' } } }), 'a nats migration moves a bus context'],
  ['an istio route created at a moment that is not one', valid({ trafficProvider: { istio: { virtualService: 'nova', createRoute: 'Later' } } }), 'spec.trafficProvider.istio.createRoute: Unsupported value: "Later"'],
  ['a Gateway API rule created at a moment that is not one', valid({ trafficProvider: { gatewayAPI: { httpRoute: 'nova', createRoute: 'atstart' } } }), 'spec.trafficProvider.gatewayAPI.createRoute: Unsupported value: "atstart"'],
  ['a nats context that is not one', validNats({ trafficProvider: { nats: { context: 'users' } } }), 'Unsupported value: "users"'],
  ['a nats provider without its context', validNats({ trafficProvider: { nats: {} } }), 'spec.trafficProvider.nats.context: Required value'],
  ['nats and istio at once', validNats({ trafficProvider: { nats: { context: 'bot' }, istio: { virtualService: 'nova' } } }), 'trafficProvider must name exactly one provider'],
  ['neither traffic nor tables', valid({ trafficProvider: undefined }), 'a migration moves either traffic (spec.trafficProvider) or tables (spec.database)'],
  ['traffic and tables at once', validDatabase({ trafficProvider: { nats: { context: 'user' } } }), 'a migration moves either traffic (spec.trafficProvider) or tables (spec.database)'],
  ['a traffic migration without legacy', valid({ legacy: undefined }), 'a traffic migration needs spec.legacy and spec.target'],
  ['setWeight in a database migration', validDatabase({ steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { setWeight: 100 }] }), 'a database migration moves no traffic: setWeight is refused'],
  ['a backup step in a traffic migration', valid({ steps: [{ backup: {} }, { setWeight: 100 }] }), 'backup and moveSchema steps need spec.database'],
  ['a moveSchema step in a traffic migration', valid({ steps: [{ moveSchema: { context: 'user' } }, { setWeight: 100 }] }), 'backup and moveSchema steps need spec.database'],
  ['a move of a context the database block does not name', validDatabase({ steps: [{ backup: {} }, { moveSchema: { context: 'payment' } }] }), 'each moveSchema step names a context of spec.database.contexts'],
  ['a move before any backup', validDatabase({ steps: [{ moveSchema: { context: 'user' } }, { backup: {} }] }), 'a backup step comes before the first moveSchema'],
  ['a database migration that moves nothing', validDatabase({ steps: [{ backup: {} }, { pause: {} }] }), 'a database migration has at least one moveSchema step'],
  ['a context moved twice', validDatabase({ steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { moveSchema: { context: 'user' } }] }), 'each context is moved by one moveSchema step only'],
  ['a step that is a backup and a move', validDatabase({ steps: [{ backup: {}, moveSchema: { context: 'user' } }] }), 'each step is exactly one of setWeight, pause or analysis'],
  ['a database migration with an HTTP route', validDatabase({ route: { pathPrefix: '/webhook/' } }), 'a database migration moves tables, not an HTTP route'],
  ['a table name that needs quoting', validDatabase({ database: { contexts: [{ name: 'user', schema: 'user_service', tables: ['Users; DROP'] }] }, steps: [{ backup: {} }, { moveSchema: { context: 'user' } }] }), 'spec.database.contexts[0].tables[0]'],
  ['a context that is not one of the bus contexts', validDatabase({ database: { contexts: [{ name: 'users', schema: 'user_service', tables: ['users'] }] }, steps: [{ backup: {} }, { moveSchema: { context: 'users' } }] }), 'Unsupported value: "users"'],
  ['a Job without its login Secret', validDatabase({ database: { contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }], job: { image: 'nova/user-service:1' } }, steps: [{ backup: {} }, { moveSchema: { context: 'user' } }] }), 'spec.database.job.loginSecret: Required value'],
];

describe('a database migration (stage 7)', () => {
  it('is admitted without legacy, target, route or traffic provider, with the defaults filled in', async () => {
    const stored = await create(`database-${suffix()}`, validDatabase({ database: { contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }, { name: 'bot', schema: 'bot_service', tables: ['user_bots'] }], job: { image: 'nova/user-service:1', loginSecret: { name: 'nova-migrator' }, backupClaim: 'nova-backups' } } }));
    expect(stored.spec.trafficProvider).toBeUndefined();
    expect(stored.spec.legacy).toBeUndefined();
    expect(stored.spec.database).toMatchObject({ legacySchema: 'public', lockTimeout: '50ms', retries: 20, job: { loginSecret: { name: 'nova-migrator', key: 'url' } } });
    expect(stored.spec.steps[1]).toEqual({ moveSchema: { context: 'user' } });
  });
});

describe('a nats migration', () => {
  it('is admitted without a route, and keeps its context', async () => {
    const stored = await create(`nats-${suffix()}`, validNats());
    expect(stored.spec.route).toBeUndefined();
    expect(stored.spec.trafficProvider).toEqual({ nats: { context: 'user' } });
  });
});

describe('admission refuses invalid migrations, storing nothing', () => {
  it.each(invalid)('%s', async (_what, spec, message) => {
    const name = `invalid-${suffix()}`;
    const refusal = await create(name, spec).then(
      () => undefined,
      (error: unknown) => apiFailure(error),
    );
    expect(refusal?.code).toBe(422);
    expect(refusal?.message).toContain(message);
    const lookup = await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace, name }).then(() => 200, (error: unknown) => apiFailure(error)?.code);
    expect(lookup).toBe(404);
  });

  it('a migration that depends on itself (a CEL rule at the root sees metadata.name)', async () => {
    const name = `self-${suffix()}`;
    const refusal = await create(name, valid({ dependsOn: ['stage-1', name] })).then(() => undefined, (error: unknown) => apiFailure(error));
    expect(refusal?.code).toBe(422);
    expect(refusal?.message).toContain('spec.dependsOn names the migration itself');
    // Reported against the field, not "<nil>" (the rule sits at the root; its fieldPath names the field). Found by test/fuzz.
    expect(refusal?.message).toMatch(/is invalid: spec\.dependsOn: Invalid value/u);
    // Depending on others is fine.
    await create(`other-${suffix()}`, valid({ dependsOn: ['stage-1'] }), 'All');
  });
});

describe('the status subresource', () => {
  it('ignores status in a write to the object, and takes it through /status', async () => {
    const name = `status-${suffix()}`;
    await create(name, valid());
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await custom.patchNamespacedCustomObject({ ...MIGRATIONS, namespace, name, body: { status: { phase: 'Promoted', weight: 100 } } }, merge);
    expect(((await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace, name })) as NovaMigration).status).toBeUndefined();
    await custom.patchNamespacedCustomObjectStatus({ ...MIGRATIONS, namespace, name, body: { status: { phase: 'Progressing', weight: 10 } } }, merge);
    expect(((await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace, name })) as NovaMigration).status).toMatchObject({ phase: 'Progressing', weight: 10 });
  });
});

describe('examples/stages', () => {
  const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.yaml')).sort();
  const load = (file: string): NovaMigration[] =>
    parseAllDocuments(readFileSync(new URL(file, EXAMPLES), 'utf8')).map((doc) => doc.toJS() as NovaMigration);

  it('has a stage-1 file per provider kind sharing one name, and stage 5\'s callbacks and stage 8\'s admin panel for Istio and plain nginx', () => {
    const stageOne = files.filter((file) => file.startsWith('stage-1-')).flatMap(load);
    expect(stageOne.map((migration) => Object.keys(migration.spec.trafficProvider ?? {})[0]).sort()).toEqual(['gatewayAPI', 'ingressNginx', 'istio', 'nginx']);
    expect(new Set(stageOne.map((migration) => migration.metadata?.name))).toEqual(new Set(['stage-1-webhook-gateway']));
    const callbacks = files.filter((file) => file.startsWith('stage-5-payment-callbacks')).flatMap(load);
    expect(callbacks.map((migration) => Object.keys(migration.spec.trafficProvider ?? {})[0]).sort()).toEqual(['istio', 'nginx']);
    expect(new Set(callbacks.map((migration) => migration.spec.route?.pathPrefix))).toEqual(new Set(['/payments/']));
    const adminPanel = files.filter((file) => file.startsWith('stage-8-admin-panel')).flatMap(load);
    expect(adminPanel.map((migration) => Object.keys(migration.spec.trafficProvider ?? {})[0]).sort()).toEqual(['istio', 'nginx']);
    expect(new Set(adminPanel.map((migration) => `${migration.metadata?.name ?? ''} ${migration.spec.route?.pathPrefix ?? ''} ${migration.spec.target?.service ?? ''}`))).toEqual(new Set(['stage-8-admin-panel /admin/ admin-panel']));
  });

  it('moves users (stage 2), bots (stage 3), publishing (stage 4), payments (stage 5) and notifications (stage 6) on the bus, with the nats provider and no HTTP route', () => {
    const onTheBus = files.flatMap(load).filter((migration) => migration.spec.trafficProvider?.nats !== undefined);
    expect(onTheBus.map((migration) => [migration.metadata?.name, migration.spec.trafficProvider?.nats?.context, migration.spec.route])).toEqual([
      ['stage-2-users', 'user', undefined],
      ['stage-3-bots', 'bot', undefined],
      ['stage-4-publisher', 'publisher', undefined],
      ['stage-5-payments', 'payment', undefined],
      ['stage-6-notifications', 'notification', undefined],
    ]);
  });

  it('moves the fleet\'s stage-7 tables (stage 7) with spec.database: a backup first, then each context in order', () => {
    const database = files.flatMap(load).filter((migration) => migration.spec.database !== undefined);
    expect(database.map((migration) => migration.metadata?.name)).toEqual(['stage-7-database']);
    const [stage7] = database;
    expect(stage7?.spec.database?.contexts.map((c) => ({ schema: c.schema, tables: c.tables }))).toEqual(FLEET_STAGE_7_CONTEXTS.map((c) => ({ schema: c.schema, tables: c.tables })));
    const moving = stage7?.spec.steps.filter((step) => step.backup !== undefined || step.moveSchema !== undefined).map((step) => step.moveSchema?.context ?? 'backup');
    expect(moving).toEqual(['backup', 'user', 'bot', 'publisher', 'payment']);
  });

  it('orders the stages: each depends on exactly the stage before it among the examples', () => {
    const stages = files.flatMap(load).map((migration) => ({
      name: migration.metadata?.name ?? '',
      stage: Number(migration.metadata?.labels?.['novabot.io/stage']),
      dependsOn: migration.spec.dependsOn ?? [],
    }));
    const numbers = [...new Set(stages.map((s) => s.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      const previous = numbers.filter((n) => n < stage.stage).at(-1);
      const expected = previous === undefined ? [] : [...new Set(stages.filter((s) => s.stage === previous).map((s) => s.name))];
      expect({ name: stage.name, dependsOn: stage.dependsOn }).toEqual({ name: stage.name, dependsOn: expected });
    }
  });

  it.each(files)('%s is admitted and ends with the 48 h bake under analysis', async (file) => {
    const [migration, ...rest] = load(file);
    expect(rest).toEqual([]);
    if (migration === undefined) throw new Error(`${file} is empty`);
    expect(migration.kind).toBe('NovaMigration');
    const steps = migration.spec.steps;
    // A database migration moves no traffic: its bake follows the last move.
    if (migration.spec.database !== undefined) expect(steps.slice(-2)).toEqual([{ pause: { duration: '48h' } }, { analysis: {} }]);
    else expect(steps.slice(-3)).toEqual([{ pause: { duration: '48h' } }, { analysis: {} }, { setWeight: 100 }]);
    if (!file.startsWith('stage-1-')) expect(migration.spec.dependsOn?.length).toBeGreaterThan(0);
    await create(migration.metadata?.name ?? file, migration.spec, 'All');
  });
});
