import { describe, expect, it } from '@jest/globals';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  it('a held check fails with its reason until released; the report names reasons only while one is held', async () => {
    const readiness = new Readiness();
    readiness.add('bus', () => true);
    readiness.hold('starting', 'starting: waiting for NATS at 127.0.0.1:4222: CONNECTION_REFUSED: connection refused');
    expect(await readiness.report()).toEqual({
      ready: false,
      draining: false,
      checks: { bus: true, starting: false },
      reasons: { starting: 'starting: waiting for NATS at 127.0.0.1:4222: CONNECTION_REFUSED: connection refused' },
    });
    readiness.release('starting');
    expect(await readiness.report()).toEqual({ ready: true, draining: false, checks: { bus: true } });
  });
});
