import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@nova/platform';
import { z } from 'zod';
import { BotConfigError, botContextConfig, checkBotConfig, retryHorizonMs } from './config.js';

const env = {
  NOVA_MAIN_BOT_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX',
  NOVA_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  NOVA_WEBHOOK_SECRET: 'main-secret_1',
  NOVA_PUBLIC_URL: 'https://bot.example.com',
};
const schema = z.object(botContextConfig);

describe('the bots context configuration', () => {
  it('has defaults whose reply lease ends inside the retry horizon', () => {
    const config = loadConfig(schema, env);
    expect(config).toMatchObject({ NOVA_TELEGRAM_API_ROOT: 'https://api.telegram.org', NOVA_UPDATES_MAX_DELIVER: 8, NOVA_REPLY_LEASE: 30_000, NOVA_MIGRATE_ON_START: true });
    expect(retryHorizonMs({ maxDeliver: config.NOVA_UPDATES_MAX_DELIVER, backoffMs: config.NOVA_UPDATES_BACKOFF })).toBe(1_000 + 2_000 + 4_000 + 8_000 + 16_000 + 30_000 + 30_000);
    expect(() => { checkBotConfig(config); }).not.toThrow();
  });

  it('refuses a lease that would outlast the retries, naming the variables', () => {
    const config = loadConfig(schema, { ...env, NOVA_UPDATES_MAX_DELIVER: '3', NOVA_UPDATES_BACKOFF: '1s', NOVA_REPLY_LEASE: '2s' });
    expect(retryHorizonMs({ maxDeliver: 3, backoffMs: [1_000] })).toBe(2_000);
    expect(() => { checkBotConfig(config); }).toThrow(BotConfigError);
    expect(() => { checkBotConfig(config); }).toThrow(/NOVA_REPLY_LEASE \(2000 ms\) must be shorter than the update retry horizon \(2000 ms/);
  });

  it('takes setWebhook\'s max_connections within Telegram\'s 1-100, unset by default (each deployable has its own)', () => {
    expect(loadConfig(schema, env).NOVA_WEBHOOK_MAX_CONNECTIONS).toBeUndefined();
    expect(loadConfig(schema, { ...env, NOVA_WEBHOOK_MAX_CONNECTIONS: '64' }).NOVA_WEBHOOK_MAX_CONNECTIONS).toBe(64);
    for (const bad of ['0', '101', '2.5']) expect(() => loadConfig(schema, { ...env, NOVA_WEBHOOK_MAX_CONNECTIONS: bad })).toThrow(/NOVA_WEBHOOK_MAX_CONNECTIONS/);
  });

  it('names every bad variable and never echoes a secret', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig(schema, { ...env, NOVA_MAIN_BOT_TOKEN: 'not-a-token-but-a-secret-value', NOVA_TOKEN_ENCRYPTION_KEY: 'short', NOVA_UPDATES_BACKOFF: '1s,fast', NOVA_PUBLIC_URL: 'ftp://x' });
    } catch (error) {
      problems = (error as { problems?: readonly string[] }).problems ?? [];
    }
    expect(problems.map((line) => line.split(':')[0])).toEqual(['NOVA_MAIN_BOT_TOKEN', 'NOVA_TOKEN_ENCRYPTION_KEY', 'NOVA_PUBLIC_URL', 'NOVA_UPDATES_BACKOFF']);
    expect(problems.join('\n')).not.toContain('not-a-token-but-a-secret-value');
  });

  it('takes the admins\' sign-in link settings, refusing a link without its key, an unbounded lifetime, and never echoing the key', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const on = loadConfig(schema, { ...env, NOVA_ADMIN_TELEGRAM_IDS: '70001, 70002', NOVA_ADMIN_SESSION_KEY: key, NOVA_ADMIN_PANEL_URL: 'https://admin.bot.example.com' });
    expect(on.NOVA_ADMIN_TELEGRAM_IDS).toEqual(new Set([70_001n, 70_002n]));
    expect(on.NOVA_ADMIN_LINK_TTL).toBe(300_000);
    expect(() => { checkBotConfig(on); }).not.toThrow();
    const keyless = loadConfig(schema, { ...env, NOVA_ADMIN_TELEGRAM_IDS: '70001', NOVA_ADMIN_PANEL_URL: 'https://admin.bot.example.com' });
    expect(() => { checkBotConfig(keyless); }).toThrow(/NOVA_ADMIN_SESSION_KEY: is required/);
    expect(() => { checkBotConfig(loadConfig(schema, { ...env, NOVA_ADMIN_LINK_TTL: '1h' })); }).toThrow(/NOVA_ADMIN_LINK_TTL/);
    let problems: readonly string[] = [];
    try {
      loadConfig(schema, { ...env, NOVA_ADMIN_SESSION_KEY: 'c2hvcnQtYnV0LXNlY3JldA==', NOVA_ADMIN_TELEGRAM_IDS: 'boss' });
    } catch (error) {
      problems = (error as { problems?: readonly string[] }).problems ?? [];
    }
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(['NOVA_ADMIN_SESSION_KEY', 'NOVA_ADMIN_TELEGRAM_IDS']);
    expect(problems.join('\n')).not.toContain('c2hvcnQtYnV0LXNlY3JldA');
  });
});
