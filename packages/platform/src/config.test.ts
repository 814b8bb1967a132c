import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { commonConfig, databaseConfig, loadConfig, natsConfig, secret } from './config.js';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { scrubSecrets } from './redact.js';

const schema = z.object({ ...commonConfig(8101), ...natsConfig, ...databaseConfig, NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(/^\d+:[\w-]{30,}$/, 'must be a Telegram bot token')) });
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX';

describe('loadConfig', () => {
  it('applies the contract defaults and parses values', () => {
    const config = loadConfig(schema, { NOVA_NATS_URL: 'nats://a:4222, nats://b:4222', NOVA_DATABASE_URL: 'postgresql://nova:pw@db:5432/nova', NOVA_MAIN_BOT_TOKEN: TOKEN, NOVA_SHUTDOWN_TIMEOUT: '1m30s', OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    expect(config).toMatchObject({ NOVA_HTTP_ADDRESS: '0.0.0.0:8101', NOVA_LOG_LEVEL: 'info', NOVA_NAMESPACE: 'default', NOVA_SHUTDOWN_TIMEOUT: 90_000, NOVA_NATS_URL: ['nats://a:4222', 'nats://b:4222'] });
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('names every bad variable on its own line and never echoes a value', () => {
    const env = { NOVA_NATS_URL: undefined, NOVA_DATABASE_URL: 'mysql://root:s3cr3t-pass@db/x', NOVA_MAIN_BOT_TOKEN: 'not-a-token-s3cr3t', NOVA_LOG_LEVEL: 'loud', NOVA_SHUTDOWN_TIMEOUT: '10 parsecs' };
    let error: unknown;
    try { loadConfig(schema, env); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^NOVA_LOG_LEVEL: /),
      'NOVA_SHUTDOWN_TIMEOUT: must be a duration like 500ms, 10s or 1m30s',
      'NOVA_NATS_URL: is required but not set',
      'NOVA_DATABASE_URL: must be a postgres or postgresql URL',
      'NOVA_MAIN_BOT_TOKEN: must be a Telegram bot token',
    ]);
    expect((error as Error).message).not.toMatch(/s3cr3t|loud|parsecs/);
  });

  it('reads NOVA_NATS_REPLICAS as 1 by default, 1 to 5 when set, and refuses anything else', () => {
    const env = { NOVA_NATS_URL: 'nats://a:4222,nats://b:4222,nats://c:4222', NOVA_DATABASE_URL: 'postgresql://nova:pw@db/nova', NOVA_MAIN_BOT_TOKEN: TOKEN };
    expect(loadConfig(schema, env).NOVA_NATS_REPLICAS).toBe(1);
    expect(loadConfig(schema, { ...env, NOVA_NATS_REPLICAS: '3' }).NOVA_NATS_REPLICAS).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) {
      expect(() => loadConfig(schema, { ...env, NOVA_NATS_REPLICAS: bad })).toThrow(/NOVA_NATS_REPLICAS: /);
    }
  });

  it('registers secret values with the scrubber', () => {
    loadConfig(schema, { NOVA_NATS_URL: 'nats://a:4222', NOVA_DATABASE_URL: 'postgresql://nova:Zq9-unusual-pw@db/nova', NOVA_MAIN_BOT_TOKEN: TOKEN });
    expect(scrubSecrets('connecting with Zq9-unusual-pw and postgresql://nova:Zq9-unusual-pw@db/nova')).not.toContain('Zq9-unusual-pw');
  });

  it('takes the migration login optionally, as a secret and a postgres URL like the runtime one', () => {
    const env = { NOVA_NATS_URL: 'nats://a:4222', NOVA_DATABASE_URL: 'postgresql://nova_user_service:pw@db/nova', NOVA_MAIN_BOT_TOKEN: TOKEN };
    expect(loadConfig(schema, env).NOVA_MIGRATION_DATABASE_URL).toBeUndefined();
    expect(loadConfig(schema, { ...env, NOVA_MIGRATION_DATABASE_URL: '' }).NOVA_MIGRATION_DATABASE_URL).toBeUndefined();
    const migrator = 'postgresql://nova_migrator:Mg7-migration-pw@db/nova';
    expect(loadConfig(schema, { ...env, NOVA_MIGRATION_DATABASE_URL: migrator }).NOVA_MIGRATION_DATABASE_URL).toBe(migrator);
    expect(scrubSecrets(`migrating with ${migrator}`)).not.toContain('Mg7-migration-pw');
    expect(() => loadConfig(schema, { ...env, NOVA_MIGRATION_DATABASE_URL: 'mysql://root:Mg7-other-pw@db/x' })).toThrow(/NOVA_MIGRATION_DATABASE_URL: must be a postgres or postgresql URL/);
  });
});

describe('parseDuration', () => {
  it('reads Go-style durations and refuses the rest', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(() => parseDuration('10')).toThrow(/not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });
});
