/**
 * The standalone emulator's JSON config (`nova-telegram-emulator --config file.json`):
 *
 *   {
 *     "host": "127.0.0.1", "port": 8081,
 *     "bots": [{ "username": "nova_bot", "token": "123456789:AA..." }],
 *     "rateLimits": { "perChat": { "burst": 3, "intervalMs": 1000 } },   // or false
 *     "delivery": { "timeoutMs": 10000, "backoff": { "baseMs": 250, "capMs": 8000 }, "maxAgeMs": 86400000, "maxAttempts": 50 },   // maxAttempts: unlimited when absent
 *     "requireHttps": false
 *   }
 */
import type { NewBot, TelegramEmulatorOptions } from './emulator.js';

export interface EmulatorConfig extends TelegramEmulatorOptions {
  readonly bots?: readonly NewBot[];
}

export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
}

export function parseConfig(text: string, source: string): EmulatorConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EmulatorConfigError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EmulatorConfigError(`${source}: expected a JSON object`);
  const config = parsed as Record<string, unknown> & EmulatorConfig;
  if (config['port'] !== undefined && !(typeof config['port'] === 'number' && Number.isInteger(config['port']) && config['port'] >= 0 && config['port'] < 65536)) {
    throw new EmulatorConfigError(`${source}: "port" must be an integer 0-65535`);
  }
  if (config['host'] !== undefined && typeof config['host'] !== 'string') throw new EmulatorConfigError(`${source}: "host" must be a string`);
  const bots = config['bots'];
  if (bots !== undefined) {
    if (!Array.isArray(bots)) throw new EmulatorConfigError(`${source}: "bots" must be an array`);
    bots.forEach((bot: unknown, index) => {
      if (typeof bot !== 'object' || bot === null || typeof (bot as { username?: unknown }).username !== 'string') {
        throw new EmulatorConfigError(`${source}: bots[${String(index)}] needs a "username"`);
      }
    });
  }
  return config;
}
