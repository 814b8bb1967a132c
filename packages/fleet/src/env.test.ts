import { describe, expect, it } from '@jest/globals';
import { FLEET_ORDER } from './deployables.js';
import { deployableEnv, FleetSettingsError, type FleetSettings } from './env.js';

const TOKEN = '700100200:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX';
const settings: FleetSettings = {
  natsUrl: 'nats://127.0.0.1:4222',
  databaseUrl: 'postgresql://nova:owner-pw@127.0.0.1:5432/nova',
  telegramApiRoot: 'http://127.0.0.1:8081',
  publicUrl: 'http://127.0.0.1:8080',
  secrets: { mainBotToken: TOKEN, encryptionKey: 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=', webhookSecret: 'main-secret' },
  routing: 'kv',
  namespace: 'nova',
};

describe('deployableEnv', () => {
  it('routes every process the same way and labels its metrics with the namespace', () => {
    for (const deployable of FLEET_ORDER) {
      expect(deployableEnv(deployable, settings)).toMatchObject({ NOVA_ROUTING: 'kv', NOVA_NATS_URL: settings.natsUrl, NOVA_NAMESPACE: 'nova' });
    }
    expect(deployableEnv('user-service', { ...settings, routing: 'off' }).NOVA_ROUTING).toBe('off');
    // One copy on one nats-server unless told (NOVA_NATS_REPLICAS), three on a three-node cluster.
    expect(deployableEnv('user-service', settings).NOVA_NATS_REPLICAS).toBe('1');
    expect(deployableEnv('nova-monolith', { ...settings, natsReplicas: 3 }).NOVA_NATS_REPLICAS).toBe('3');
  });

  it('runs the monolith on JetStream with the bots context\'s variables', () => {
    expect(deployableEnv('nova-monolith', settings)).toMatchObject({
      NOVA_MONOLITH_UPDATES: 'jetstream', NOVA_DATABASE_URL: settings.databaseUrl, NOVA_MAIN_BOT_TOKEN: TOKEN, NOVA_PUBLIC_URL: settings.publicUrl, NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
    });
  });

  it('gives the gateway the main bot\'s id, never its token, nor the database', () => {
    const env = deployableEnv('webhook-gateway', settings);
    expect(env.NOVA_MAIN_BOT_ID).toBe('700100200');
    expect(Object.values(env).join(' ')).not.toContain(TOKEN);
    expect(env.NOVA_DATABASE_URL).toBeUndefined();
  });

  it('gives the user service its own login, which then leaves migrations to the monolith', () => {
    expect(deployableEnv('user-service', settings)).toMatchObject({ NOVA_DATABASE_URL: settings.databaseUrl });
    expect(deployableEnv('user-service', settings).NOVA_MIGRATE_ON_START).toBeUndefined();
    const own = 'postgresql://user_service_x:pw@127.0.0.1:5432/nova';
    expect(deployableEnv('user-service', { ...settings, userServiceDatabaseUrl: own })).toMatchObject({ NOVA_DATABASE_URL: own, NOVA_MIGRATE_ON_START: 'false' });
    expect(Object.keys(deployableEnv('user-service', settings))).not.toContain('NOVA_MAIN_BOT_TOKEN');
  });

  it('gives the publisher service the database, the main bot and the bots context\'s key, not the webhook secret', () => {
    const env = deployableEnv('publisher-service', settings);
    expect(env).toMatchObject({
      NOVA_DATABASE_URL: settings.databaseUrl, NOVA_MAIN_BOT_TOKEN: TOKEN, NOVA_TOKEN_ENCRYPTION_KEY: settings.secrets.encryptionKey, NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
    });
    expect(env.NOVA_WEBHOOK_SECRET).toBeUndefined();
  });

  it('runs the payment service with providers off unless given, and gives both payments contexts the same credentials', () => {
    const off = deployableEnv('payment-service', settings);
    expect(off.NOVA_DATABASE_URL).toBe(settings.databaseUrl);
    expect(Object.keys(off).filter((name) => name.startsWith('NOVA_CRYPTOBOT') || name.startsWith('NOVA_PLATEGA'))).toEqual([]);
    expect(Object.keys(off)).not.toContain('NOVA_MAIN_BOT_TOKEN');
    const payments = {
      cryptobot: { apiRoot: 'http://127.0.0.1:9001/api/', token: '12345:AAcryptopaytoken' },
      platega: { apiRoot: 'http://127.0.0.1:9002', merchantId: 'merchant-1', secret: 'platega-secret' },
    };
    const expected = {
      NOVA_CRYPTOBOT_API_ROOT: payments.cryptobot.apiRoot, NOVA_CRYPTOBOT_TOKEN: payments.cryptobot.token,
      NOVA_PLATEGA_API_ROOT: payments.platega.apiRoot, NOVA_PLATEGA_MERCHANT_ID: 'merchant-1', NOVA_PLATEGA_SECRET: 'platega-secret',
    };
    expect(deployableEnv('payment-service', { ...settings, payments })).toMatchObject(expected);
    expect(deployableEnv('nova-monolith', { ...settings, payments })).toMatchObject(expected);
    expect(deployableEnv('bot-service', { ...settings, payments }).NOVA_CRYPTOBOT_TOKEN).toBeUndefined();
  });

  it('runs the notification service only with the schedulers\' settings, and gives both sides the same intervals', () => {
    expect(() => deployableEnv('notification-service', settings)).toThrow(/^fleet setting notifications: is required/);
    const notifications = { publishInterval: '1s', subscriptionInterval: '1h', leaseTtl: '3s' };
    const env = deployableEnv('notification-service', { ...settings, notifications });
    expect(env).toMatchObject({ NOVA_MAIN_BOT_TOKEN: TOKEN, NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot, NOVA_NOTIFY_PUBLISH_INTERVAL: '1s', NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '1h', NOVA_SCHEDULER_LEASE_TTL: '3s', NOVA_ROUTING: 'kv' });
    // It asks the publisher and payments contexts for its work: no database, no webhook secret, no bots context's key.
    expect(env.NOVA_DATABASE_URL).toBeUndefined();
    expect(env.NOVA_WEBHOOK_SECRET).toBeUndefined();
    expect(env.NOVA_TOKEN_ENCRYPTION_KEY).toBeUndefined();
    expect(deployableEnv('nova-monolith', { ...settings, notifications })).toMatchObject({ NOVA_NOTIFY_PUBLISH_INTERVAL: '1s', NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '1h' });
    expect(deployableEnv('nova-monolith', settings).NOVA_NOTIFY_PUBLISH_INTERVAL).toBeUndefined();
    expect(deployableEnv('notification-service', { ...settings, notifications: {} }).NOVA_SCHEDULER_LEASE_TTL).toBeUndefined();
  });

  it('turns tracing on with a service name per deployable, and applies extras last', () => {
    const env = deployableEnv('bot-service', { ...settings, otlpEndpoint: 'http://127.0.0.1:4318', serviceNameSuffix: '-t1', extra: { 'bot-service': { NOVA_LOG_LEVEL: 'debug' } } });
    expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'bot-service-t1', NOVA_LOG_LEVEL: 'debug' });
    expect(deployableEnv('bot-service', settings).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('refuses a main bot token without a bot id, without echoing it', () => {
    const bad = { ...settings, secrets: { ...settings.secrets, mainBotToken: 'not-a-token-secret' } };
    expect(() => deployableEnv('webhook-gateway', bad)).toThrow(FleetSettingsError);
    expect(() => deployableEnv('webhook-gateway', bad)).toThrow(/^fleet setting mainBotToken: is not a Telegram bot token/);
    expect(() => deployableEnv('webhook-gateway', bad)).not.toThrow(/not-a-token-secret/);
  });
});
