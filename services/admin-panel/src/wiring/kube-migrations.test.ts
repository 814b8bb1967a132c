import { describe, expect, it } from '@jest/globals';
import { migrationView } from './kube-migrations.js';

describe('migrationView', () => {
  it('names what moves: an HTTP route, a bus context, or (stage 7) the contexts whose tables move', () => {
    expect(migrationView({ spec: { route: { host: 'bot.example.com', pathPrefix: '/webhook/' } } }).route).toBe('bot.example.com/webhook/');
    expect(migrationView({ spec: { trafficProvider: { nats: { context: 'user' } } } }).route).toBe('bus: user');
    expect(migrationView({ spec: { database: { contexts: [{ name: 'user' }, { name: 'bot' }] } } }).route).toBe('tables: user, bot');
  });
});
