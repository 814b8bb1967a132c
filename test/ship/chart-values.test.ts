/**
 * values.schema.json (and the chart's own checks) refuse wrong values at `helm install` time, with
 * a message naming the value, and never echo a secret that was put where it does not belong.
 */
import { describe, expect, it } from '@jest/globals';
import { templateChart, type Values } from './support/chart.js';

const SECRET_LOOKING_VALUE = '123456:AAE-not-a-real-bot-token';

const BAD_VALUES: readonly (readonly [string, Values, RegExp])[] = [
  ['a misspelt top-level key', { servics: {} }, /additional properties 'servics' not allowed/],
  ['a port out of range', { services: { 'webhook-gateway': { port: 70000 } } }, /\/services\/webhook-gateway\/port/],
  ['a port given as a string', { operator: { port: '8080' } }, /\/operator\/port.*want integer/],
  ['negative replicas', { services: { 'user-service': { replicas: -1 } } }, /\/services\/user-service\/replicas/],
  ['an unknown log level', { logLevel: 'verbose' }, /\/logLevel/],
  ['an unknown route provider', { routing: { provider: 'nginxPlus' } }, /\/routing\/provider/],
  ['istio without gateways', { routing: { provider: 'istio', istio: { gateways: [] } } }, /\/routing\/istio\/gateways/],
  ['gatewayAPI without parentRefs', { routing: { provider: 'gatewayAPI', gatewayAPI: { parentRefs: [] } } }, /\/routing\/gatewayAPI\/parentRefs/],
  ['a NATS URL that is not nats://', { nats: { url: 'http://nats:4222' } }, /\/nats\/url/],
  ['root as the pods\' user', { podSecurity: { runAsUser: 0 } }, /\/podSecurity\/runAsUser/],
  ['an unknown pull policy', { image: { pullPolicy: 'Sometimes' } }, /\/image\/pullPolicy/],
  ['a malformed digest', { operator: { image: { repository: 'nova/operator', digest: 'sha256:nothex' } } }, /\/operator\/image\/digest/],
  ['a lease duration without a unit', { operator: { leaderElection: { leaseDuration: '15' } } }, /\/operator\/leaderElection\/leaseDuration/],
  ['a secret the chart does not know in secretEnv', { services: { 'bot-service': { secretEnv: ['NOVA_DB_PASSWORD'] } } }, /\/services\/bot-service\/secretEnv\/0/],
  ['a PostgreSQL sslmode that does not exist', { postgresql: { sslMode: 'on' } }, /\/postgresql\/sslMode/],
  ['a deployable\'s database login that is neither true/false nor a login', { services: { 'user-service': { database: 'always' } } }, /\/services\/user-service\/database/],
  ['an unknown field in a deployable\'s own login', { services: { 'user-service': { database: { password: 'x' } } } }, /\/services\/user-service\/database/],
  ['a migration login\'s Secret name that is not a DNS name', { postgresql: { migration: { existingSecret: 'Nova_Migrator' } } }, /\/postgresql\/migration\/existingSecret/],
  ['a zero drain deadline', { shutdownTimeoutSeconds: 0 }, /\/shutdownTimeoutSeconds/],
  ['a service name that is not a DNS label', { services: { 'Admin_Panel': { enabled: true, image: { repository: 'nova/admin' }, port: 8106 } } }, /Admin_Panel/],
  ['a new service without its port', { services: { 'story-service': { enabled: true, image: { repository: 'nova/story-service' } } } }, /missing property 'port'/],
  ['the admin panel\'s session key as a plain value', { services: { 'admin-panel': { env: { NOVA_ADMIN_SESSION_KEY: 'x' } } } }, /NOVA_ADMIN_SESSION_KEY/],
  ['a public URL Telegram would refuse (not HTTPS)', { publicUrl: 'http://bot.example.com' }, /\/publicUrl/],
  ['a legacy service that is disabled', { routing: { provider: 'istio' }, services: { 'nova-monolith': { enabled: false } } }, /routing.legacyService "nova-monolith" must name an enabled entry of services/],
];

describe('values the chart refuses at install time', () => {
  it.each(BAD_VALUES)('%s', async (_what, values, message) => {
    const result = await templateChart({ namespace: 'nova', values });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['a bot token as a plain env value', { services: { 'user-service': { env: { NOVA_MAIN_BOT_TOKEN: SECRET_LOOKING_VALUE } } } }],
    ['a database URL as a plain env value', { services: { 'user-service': { env: { NOVA_DATABASE_URL: `postgresql://nova:${SECRET_LOOKING_VALUE}@db/nova` } } } }],
    ['the migration login\'s URL as a plain env value', { services: { 'user-service': { env: { NOVA_MIGRATION_DATABASE_URL: `postgresql://nova_migrator:${SECRET_LOOKING_VALUE}@db/nova` } } } }],
    ['any *_TOKEN as a plain env value', { services: { 'payment-service': { env: { NOVA_CRYPTOBOT_TOKEN: SECRET_LOOKING_VALUE } } } }],
    ['a password in the operator\'s env', { operator: { env: { SOME_PASSWORD: SECRET_LOOKING_VALUE } } }],
  ] as const)('refuses %s, without printing the value', async (_what, values) => {
    const result = await templateChart({ namespace: 'nova', values });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/invalid propertyName/);
    expect(result.stderr).not.toContain(SECRET_LOOKING_VALUE);
  });

  it('accepts the defaults and a values file that only sets what a real install sets', async () => {
    const defaults = await templateChart({ namespace: 'nova' });
    expect(defaults.stderr).toBe('');
    expect(defaults.code).toBe(0);
    const typical = await templateChart({
      namespace: 'nova',
      values: {
        image: { registry: 'registry.example.com/nova', tag: '0.1.0' },
        nats: { url: 'nats://nats-0.nats.nats:4222,nats://nats-1.nats.nats:4222' },
        postgresql: { host: 'pg.example.internal', existingSecret: 'nova-postgresql' },
        routing: { provider: 'ingressNginx', host: 'bot.example.com', ingressNginx: { tls: [{ hosts: ['bot.example.com'], secretName: 'bot-tls' }] } },
      },
    });
    expect(typical.stderr).toBe('');
    expect(typical.code).toBe(0);
  });
});
