import { describe, expect, it } from '@jest/globals';
import { INLINE_WEBHOOK_MAX_CONNECTIONS, JETSTREAM_WEBHOOK_MAX_CONNECTIONS, MonolithConfigError, natsServersFor, webhookMaxConnectionsFor } from './config.js';

describe('webhookMaxConnectionsFor', () => {
  it('asks Telegram for 20 deliveries at once inline (processed before the answer), 100 on JetStream (stored, then answered)', () => {
    expect(webhookMaxConnectionsFor({ NOVA_MONOLITH_UPDATES: 'inline', NOVA_WEBHOOK_MAX_CONNECTIONS: undefined })).toBe(INLINE_WEBHOOK_MAX_CONNECTIONS);
    expect(INLINE_WEBHOOK_MAX_CONNECTIONS).toBe(20);
    expect(webhookMaxConnectionsFor({ NOVA_MONOLITH_UPDATES: 'jetstream', NOVA_WEBHOOK_MAX_CONNECTIONS: undefined })).toBe(JETSTREAM_WEBHOOK_MAX_CONNECTIONS);
    expect(JETSTREAM_WEBHOOK_MAX_CONNECTIONS).toBe(100);
  });

  it('takes NOVA_WEBHOOK_MAX_CONNECTIONS when set', () => {
    expect(webhookMaxConnectionsFor({ NOVA_MONOLITH_UPDATES: 'inline', NOVA_WEBHOOK_MAX_CONNECTIONS: 5 })).toBe(5);
  });
});

describe('natsServersFor', () => {
  const nats = ['nats://127.0.0.1:4222'];

  it('needs no NATS inline and unrouted (the legacy Nova Bot)', () => {
    expect(natsServersFor({ NOVA_MONOLITH_UPDATES: 'inline', NOVA_NATS_URL: undefined, NOVA_ROUTING: 'off' })).toBeUndefined();
  });

  it('needs NATS to read the stream', () => {
    expect(natsServersFor({ NOVA_MONOLITH_UPDATES: 'jetstream', NOVA_NATS_URL: nats, NOVA_ROUTING: 'kv' })).toEqual(nats);
    expect(() => natsServersFor({ NOVA_MONOLITH_UPDATES: 'jetstream', NOVA_NATS_URL: undefined, NOVA_ROUTING: 'off' })).toThrow(MonolithConfigError);
  });

  it('refuses routing on the bus while processing updates inline (nobody would read telegram.legacy.>)', () => {
    expect(() => natsServersFor({ NOVA_MONOLITH_UPDATES: 'inline', NOVA_NATS_URL: nats, NOVA_ROUTING: 'kv' })).toThrow('NOVA_ROUTING: kv needs NOVA_MONOLITH_UPDATES=jetstream');
  });
});
