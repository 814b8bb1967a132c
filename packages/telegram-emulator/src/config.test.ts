import { describe, expect, it } from '@jest/globals';
import { commandEntities, EmulatorConfigError, generateToken, parseConfig, TOKEN_PATTERN } from './index.js';

describe('emulator config', () => {
  it('accepts a full config', () => {
    const config = parseConfig(JSON.stringify({ port: 8081, bots: [{ username: 'nova_bot', token: generateToken(123) }], rateLimits: false }), 'nova.json');
    expect(config.port).toBe(8081);
    expect(config.bots?.[0]?.username).toBe('nova_bot');
  });

  it.each([
    ['not json', 'nova.json: not JSON'],
    ['[]', 'nova.json: expected a JSON object'],
    ['{"port":"80"}', 'nova.json: "port" must be an integer 0-65535'],
    ['{"bots":[{}]}', 'nova.json: bots[0] needs a "username"'],
  ])('refuses %s with a clear message', (text, message) => {
    expect(() => parseConfig(text, 'nova.json')).toThrow(EmulatorConfigError);
    expect(() => parseConfig(text, 'nova.json')).toThrow(message);
  });
});

describe('tokens and entities', () => {
  it('generates well-formed tokens', () => {
    expect(generateToken(123)).toMatch(TOKEN_PATTERN);
    expect(generateToken(123)).not.toBe(generateToken(123));
  });

  it('marks commands at word starts only, in UTF-16 offsets', () => {
    expect(commandEntities('/start')).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(commandEntities('a/b not a command')).toEqual([]);
    expect(commandEntities('😀 /help')).toEqual([{ type: 'bot_command', offset: 3, length: 5 }]);
  });
});
