/**
 * The chart against its sources of truth: `helm lint --strict` is clean, the CRD it ships is the
 * repository's, the operator's RBAC is operator/rbac's, and what it renders keeps the contracts
 * (probes, non-root read-only pods, grace period longer than the drain, secrets only by reference).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverDeployables } from '@nova/testbed';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, lintChart, PROVIDER_VALUES, REPO_ROOT, renderChart, type RenderedObject } from './support/chart.js';

interface Container {
  readonly name: string;
  readonly image: string;
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } } }[];
  readonly ports?: readonly { readonly name: string; readonly containerPort: number }[];
  readonly startupProbe?: { readonly httpGet?: { readonly path: string; readonly port: string } };
  readonly livenessProbe?: { readonly httpGet?: { readonly path: string; readonly port: string } };
  readonly readinessProbe?: { readonly httpGet?: { readonly path: string; readonly port: string } };
  readonly securityContext?: Record<string, unknown>;
}

interface PodSpec {
  readonly terminationGracePeriodSeconds: number;
  readonly securityContext: Record<string, unknown>;
  readonly containers: readonly Container[];
}

function podSpec(deployment: RenderedObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

function rbacRules(file: string): unknown {
  const [document] = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { rules?: unknown } | unknown[]);
  return Array.isArray(document) ? document : document?.rules;
}

describe('helm lint --strict', () => {
  it.each([
    ['the default values', {}],
    ...Object.entries(PROVIDER_VALUES).map(([provider, values]) => [`the ${provider} route object`, values] as const),
    ['every option on', { networkPolicy: { enabled: true }, metrics: { serviceMonitor: { enabled: true } }, operator: { watchNamespace: 'nova' } }],
  ])('is clean with %s', async (_what, values) => {
    const result = await lintChart(values);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });
});

describe('the chart against the repository', () => {
  it('ships crds/novabot.io_novamigrations.yaml byte for byte', () => {
    const chart = readFileSync(join(CHART_DIR, 'crds', 'novabot.io_novamigrations.yaml'), 'utf8');
    const repo = readFileSync(join(REPO_ROOT, 'crds', 'novabot.io_novamigrations.yaml'), 'utf8');
    expect(chart).toBe(repo);
  });

  it('grants the operator exactly the rules of operator/rbac/, bound to its ServiceAccount', async () => {
    const { objects } = await renderChart({ namespace: 'nova-system' });
    const clusterRole = objects.find((o) => o.kind === 'ClusterRole');
    const leaseRole = objects.find((o) => o.kind === 'Role' && o.metadata.name !== 'admin-panel-novamigrations-reader');
    expect(clusterRole?.rules).toEqual(rbacRules(join(REPO_ROOT, 'operator', 'rbac', 'clusterrole.yaml')));
    expect(leaseRole?.rules).toEqual(rbacRules(join(REPO_ROOT, 'operator', 'rbac', 'leader-election-role.yaml')));
    expect(rbacRules(join(CHART_DIR, 'files', 'operator-rules.yaml'))).toEqual(rbacRules(join(REPO_ROOT, 'operator', 'rbac', 'clusterrole.yaml')));
    for (const binding of objects.filter((o) => o.kind.endsWith('Binding') && o.metadata.name !== 'admin-panel-novamigrations-reader')) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'nova-operator', namespace: 'nova-system' }]);
    }
  });

  it('lets the admin panel read NovaMigrations and nothing else, and gives no other deployable a Kubernetes API token', async () => {
    const { objects } = await renderChart({ namespace: 'nova' });
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'admin-panel-novamigrations-reader');
    expect(role?.rules).toEqual([{ apiGroups: ['novabot.io'], resources: ['novamigrations'], verbs: ['get', 'list', 'watch'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'admin-panel-novamigrations-reader');
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'admin-panel', namespace: 'nova' }]);
    for (const deployment of objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'nova-operator')) {
      const spec = podSpec(deployment) as { automountServiceAccountToken?: boolean; serviceAccountName?: string };
      expect({ name: deployment.metadata.name, token: spec.automountServiceAccountToken, account: spec.serviceAccountName })
        .toEqual(deployment.metadata.name === 'admin-panel'
          ? { name: 'admin-panel', token: true, account: 'admin-panel' }
          : { name: deployment.metadata.name, token: false, account: undefined });
    }
  });

  it('gives the main bot (bot service and monolith) the admins, the session key by reference and the panel\'s URL only when adminPanel.url is set', async () => {
    const mainBotEnv = async (values: Record<string, unknown>) => {
      const { objects } = await renderChart({ namespace: 'nova', values });
      return Object.fromEntries(['bot-service', 'nova-monolith'].map((name) => {
        const container = podSpec(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) ?? { spec: { template: { spec: { containers: [] } } } } as unknown as RenderedObject).containers[0];
        const env = container?.env ?? [];
        return [name, env.filter((e) => e.name.startsWith('NOVA_ADMIN_')).map((e) => [e.name, e.value ?? e.valueFrom?.secretKeyRef?.key])];
      }));
    };
    expect(await mainBotEnv({ adminPanel: { admins: [123456789] } })).toEqual({
      'bot-service': [],
      'nova-monolith': [['NOVA_ADMIN_TELEGRAM_IDS', '123456789'], ['NOVA_ADMIN_SESSION_KEY', 'admin-session-key']],
    });
    const on = await mainBotEnv({ adminPanel: { admins: [123456789, 987654321], url: 'https://admin.bot.example.com' } });
    expect(on['bot-service']).toEqual([['NOVA_ADMIN_PANEL_URL', 'https://admin.bot.example.com'], ['NOVA_ADMIN_TELEGRAM_IDS', '123456789,987654321'], ['NOVA_ADMIN_SESSION_KEY', 'admin-session-key']]);
    expect(on['nova-monolith']).toEqual(expect.arrayContaining([['NOVA_ADMIN_PANEL_URL', 'https://admin.bot.example.com'], ['NOVA_ADMIN_TELEGRAM_IDS', '123456789,987654321']]));
  });

  it('runs two operator replicas with leader election on the Lease its Role allows, and a PDB', async () => {
    const { objects } = await renderChart({ namespace: 'nova-system', values: { operator: { leaseName: 'nova-operator-blue' } } });
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'nova-operator');
    if (deployment === undefined) throw new Error('no operator Deployment');
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const [container] = podSpec(deployment).containers;
    if (container === undefined) throw new Error('no operator container');
    expect(envValue(container, 'NOVA_LEASE_NAME')).toBe('nova-operator-blue');
    const leaseRole = objects.find((o) => o.kind === 'Role') as unknown as { rules: { resourceNames?: string[] }[] };
    expect(leaseRole.rules.flatMap((r) => r.resourceNames ?? [])).toEqual(['nova-operator-blue']);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nova-operator');
    expect(pdb?.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'nova-operator' } } });
  });
});

describe('every deployable the chart renders', () => {
  it('probes /healthz and /readyz, runs non-root on a read-only root, and outlives its drain deadline', async () => {
    const later = { enabled: true };
    const { objects } = await renderChart({ namespace: 'nova', values: { shutdownTimeoutSeconds: 25, preStopSleepSeconds: 3, services: { 'publisher-service': later, 'payment-service': later, 'notification-service': later } } });
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBe(9);
    for (const deployment of deployments) {
      const spec = podSpec(deployment);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      // preStop sleep + drain deadline + margin: the kubelet never kills a process still draining.
      expect(spec.terminationGracePeriodSeconds).toBe(3 + 25 + 5);
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(envValue(container, 'NOVA_SHUTDOWN_TIMEOUT')).toBe('25s');
        const port = container.ports?.find((p) => p.name === 'http')?.containerPort;
        expect(envValue(container, 'NOVA_HTTP_ADDRESS')).toBe(`0.0.0.0:${String(port)}`);
      }
    }
  });

  it('serves each deployable on its contract port under its own name', async () => {
    const later = { enabled: true };
    const { objects } = await renderChart({ namespace: 'nova', values: { services: { 'publisher-service': later, 'payment-service': later, 'notification-service': later } } });
    const ports = Object.fromEntries(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, (o.spec as { ports: { port: number }[] }).ports[0]?.port]));
    expect(ports).toEqual({
      'nova-operator': 8080, 'nova-monolith': 8099, 'webhook-gateway': 8100, 'user-service': 8101, 'bot-service': 8102,
      'publisher-service': 8103, 'payment-service': 8104, 'notification-service': 8105, 'admin-panel': 8106,
    });
  });

  it('has an entry for every deployable workspace (its package.json "nova" field), on the same port', async () => {
    const { objects } = await renderChart({ namespace: 'nova' });
    const services = new Map(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, (o.spec as { ports: { port: number }[] }).ports[0]?.port]));
    for (const deployable of discoverDeployables()) {
      const name = deployable.name === 'operator' ? 'nova-operator' : deployable.name;
      expect({ name, port: services.get(name) }).toEqual({ name, port: deployable.port });
    }
  });

  it('takes every secret from a Secret by reference: no value in the manifests names one', async () => {
    const { objects, yaml } = await renderChart({ namespace: 'nova', values: { secrets: { existingSecret: 'bots' }, postgresql: { existingSecret: 'pg' } } });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const secretEnv = ['NOVA_MAIN_BOT_TOKEN', 'NOVA_TOKEN_ENCRYPTION_KEY', 'NOVA_WEBHOOK_SECRET', 'NOVA_DATABASE_PASSWORD'];
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      for (const container of podSpec(deployment).containers) {
        for (const variable of container.env ?? []) {
          if (secretEnv.includes(variable.name)) {
            expect(variable.value).toBeUndefined();
            expect(['bots', 'pg']).toContain(variable.valueFrom?.secretKeyRef?.name);
          }
        }
        // The URL is composed by the kubelet around the Secret's password.
        const url = envValue(container, 'NOVA_DATABASE_URL');
        if (url !== undefined) expect(url).toMatch(/^postgresql:\/\/nova:\$\(NOVA_DATABASE_PASSWORD\)@/);
      }
    }
    expect(yaml).not.toMatch(/kind: Secret\b/);
  });

  it('gives each deployable only the secrets it lists', async () => {
    const { objects } = await renderChart({ namespace: 'nova' });
    const secretsOf = (name: string): string[] => {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      if (deployment === undefined) throw new Error(`no Deployment ${name}`);
      return (podSpec(deployment).containers[0]?.env ?? []).filter((e) => e.valueFrom?.secretKeyRef !== undefined).map((e) => e.name).sort();
    };
    // Without telegram.mainBotId the gateway learns the main bot's id from its token.
    expect(secretsOf('webhook-gateway')).toEqual(['NOVA_MAIN_BOT_TOKEN', 'NOVA_WEBHOOK_SECRET']);
    expect(secretsOf('user-service')).toEqual(['NOVA_DATABASE_PASSWORD']);
    // It sets the main bot's webhook (token, secret) and keeps child bots' tokens sealed (key).
    expect(secretsOf('bot-service')).toEqual(['NOVA_DATABASE_PASSWORD', 'NOVA_MAIN_BOT_TOKEN', 'NOVA_TOKEN_ENCRYPTION_KEY', 'NOVA_WEBHOOK_SECRET']);
    expect(secretsOf('nova-monolith')).toEqual(['NOVA_DATABASE_PASSWORD', 'NOVA_MAIN_BOT_TOKEN', 'NOVA_TOKEN_ENCRYPTION_KEY', 'NOVA_WEBHOOK_SECRET']);
    expect(secretsOf('nova-operator')).toEqual([]);
  });

  it('gives the webhook gateway the main bot\'s id instead of its token when telegram.mainBotId is set', async () => {
    const { objects } = await renderChart({ namespace: 'nova', values: { telegram: { mainBotId: '7000001' } } });
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'webhook-gateway');
    if (gateway === undefined) throw new Error('no Deployment webhook-gateway');
    const env = podSpec(gateway).containers[0]?.env ?? [];
    expect(env.filter((e) => e.valueFrom?.secretKeyRef !== undefined).map((e) => e.name)).toEqual(['NOVA_WEBHOOK_SECRET']);
    expect(env.find((e) => e.name === 'NOVA_MAIN_BOT_ID')?.value).toBe('7000001');
  });

  it('gives a deployable its own runtime login and every deployable with a database the migration login, by reference', async () => {
    const { objects, yaml } = await renderChart({
      namespace: 'nova',
      values: {
        postgresql: { migration: { existingSecret: 'nova-db-migrator', user: 'nova_migrator' } },
        services: {
          'user-service': { database: { existingSecret: 'nova-db-user-service', user: 'nova_user_service' } },
          'bot-service': { database: { existingSecret: 'nova-db-bot-service', urlKey: 'url' } },
        },
      },
    });
    const databaseEnvOf = (name: string) => {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      if (deployment === undefined) throw new Error(`no Deployment ${name}`);
      const env = (podSpec(deployment).containers[0]?.env ?? []).filter((e) => e.name.includes('DATABASE'));
      return Object.fromEntries(env.map((e) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
    };
    const HOST = '@postgresql.postgresql.svc.cluster.local:5432/nova?sslmode=prefer';
    const migration = {
      NOVA_MIGRATION_DATABASE_PASSWORD: { name: 'nova-db-migrator', key: 'password' },
      NOVA_MIGRATION_DATABASE_URL: `postgresql://nova_migrator:$(NOVA_MIGRATION_DATABASE_PASSWORD)${HOST}`,
    };
    expect(databaseEnvOf('user-service')).toEqual({
      NOVA_DATABASE_PASSWORD: { name: 'nova-db-user-service', key: 'password' },
      NOVA_DATABASE_URL: `postgresql://nova_user_service:$(NOVA_DATABASE_PASSWORD)${HOST}`,
      ...migration,
    });
    expect(databaseEnvOf('bot-service')).toEqual({ NOVA_DATABASE_URL: { name: 'nova-db-bot-service', key: 'url' }, ...migration });
    // Whoever sets no login of its own keeps the shared one, as before.
    const shared = { NOVA_DATABASE_PASSWORD: { name: 'nova-postgresql', key: 'password' }, NOVA_DATABASE_URL: `postgresql://nova:$(NOVA_DATABASE_PASSWORD)${HOST}` };
    for (const name of ['nova-monolith', 'publisher-service', 'payment-service', 'admin-panel']) expect([name, databaseEnvOf(name)]).toEqual([name, { ...shared, ...migration }]);
    for (const name of ['webhook-gateway', 'notification-service']) expect([name, databaseEnvOf(name)]).toEqual([name, {}]);
    expect(yaml).not.toMatch(/kind: Secret\b/);
  });

  it('renders no migration login by default', async () => {
    const { yaml } = await renderChart({ namespace: 'nova' });
    expect(yaml).not.toContain('NOVA_MIGRATION_DATABASE');
  });

  it('drops a disabled service entirely', async () => {
    const { objects } = await renderChart({ namespace: 'nova', values: { services: { 'bot-service': { enabled: false } } } });
    expect(objects.filter((o) => o.metadata.name === 'bot-service')).toEqual([]);
  });
});

describe('the dashboard ConfigMap', () => {
  it('carries the dashboard JSON with the Grafana sidecar label', async () => {
    const { objects } = await renderChart({ namespace: 'nova' });
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nova-dashboard') as unknown as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap.data['nova.json'] ?? '')).toEqual(JSON.parse(readFileSync(join(CHART_DIR, 'dashboards', 'nova.json'), 'utf8')));
  });
});
