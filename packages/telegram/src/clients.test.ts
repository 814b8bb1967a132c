import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { TelegramClient } from './client.js';
import { TelegramClients } from './clients.js';
import { InvalidBotTokenError } from './errors.js';

const TOKEN = '111:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
const NEW_TOKEN = '111:AAzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
const OTHER = '222:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';

describe('TelegramClients', () => {
  it('makes one client per bot on first use and keeps it', () => {
    const clients = new TelegramClients({ registry: new Registry() });
    const first = clients.forToken(TOKEN);
    expect(clients.forToken(TOKEN)).toBe(first);
    expect(clients.forToken(OTHER)).not.toBe(first);
    expect(first.botId).toBe('111');
    expect(clients.size).toBe(2);
  });

  it('replaces a bot\'s client when its token changes, and closes the old one', async () => {
    const clients = new TelegramClients({ registry: new Registry() });
    const old = clients.forToken(TOKEN);
    const renewed = clients.forToken(NEW_TOKEN);
    expect(renewed).not.toBe(old);
    expect(clients.size).toBe(1);
    await expect(old.sendMessage({ chat_id: 1, text: 'x' })).rejects.toThrow('the client is closed; not sent');
  });

  it('removes a bot', () => {
    const clients = new TelegramClients({ registry: new Registry() });
    clients.forToken(TOKEN);
    clients.remove('111');
    expect(clients.size).toBe(0);
  });

  it('refuses a malformed token or apiRoot with a clear error that does not repeat the token', () => {
    const clients = new TelegramClients({ registry: new Registry() });
    expect(() => clients.forToken('not-a-token')).toThrow(InvalidBotTokenError);
    expect(() => new TelegramClient({ token: TOKEN, apiRoot: 'ftp://example.org', registry: new Registry() })).toThrow('apiRoot must be an http(s) URL such as https://api.telegram.org');
  });
});
