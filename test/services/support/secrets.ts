/**
 * Every secret of a run, and a scan of every log line of every process for them: bot tokens
 * (the main bot's and every child bot's), each child bot's webhook secret (derived as the bot
 * service derives it), the main webhook secret, the token encryption key, the database password.
 */
import { expect } from '@jest/globals';
import { BotKeyring } from '@nova/bot-service/domain';
import type { EmulatedBot } from '@nova/telegram-emulator';
import type { RunningService } from './services.js';
import type { WorldSecrets } from './world.js';

export function secretsOfRun(world: WorldSecrets, childBots: readonly EmulatedBot[]): Map<string, string> {
  const keyring = BotKeyring.fromBase64(world.encryptionKey);
  const secrets = new Map<string, string>([
    ['the main bot token', world.mainBotToken],
    ['the main bot token\'s secret part', world.mainBotToken.split(':')[1] ?? ''],
    ['NOVA_WEBHOOK_SECRET', world.webhookSecret],
    ['NOVA_TOKEN_ENCRYPTION_KEY', world.encryptionKey],
    ['the database password', world.databasePassword],
  ]);
  for (const bot of childBots) {
    secrets.set(`the token of bot ${String(bot.id)}`, bot.token);
    secrets.set(`the token secret of bot ${String(bot.id)}`, bot.token.split(':')[1] ?? '');
    secrets.set(`the webhook secret of bot ${String(bot.id)}`, keyring.webhookSecret(BigInt(bot.id), bot.token));
  }
  return secrets;
}

/** Fails naming the process, the secret and the line, never printing the secret itself. */
export function expectNoSecretsInLogs(services: readonly Pick<RunningService, 'name' | 'logText'>[], secrets: ReadonlyMap<string, string>): void {
  const leaks: string[] = [];
  let lines = 0;
  for (const service of services) {
    const text = service.logText();
    text.split('\n').forEach((line, index) => {
      lines++;
      for (const [what, value] of secrets) {
        if (value.length >= 8 && line.includes(value)) leaks.push(`${service.name} line ${String(index + 1)} holds ${what}`);
      }
    });
  }
  expect(lines).toBeGreaterThan(services.length);
  expect(leaks).toEqual([]);
}
