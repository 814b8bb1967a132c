import { describe, expect, it } from '@jest/globals';
import { MonolithConfigError, natsServersFor } from './config.js';

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
