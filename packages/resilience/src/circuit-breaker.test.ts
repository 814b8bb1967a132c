import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { CircuitOpenError } from './errors.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 1_000_000;
  return { now: () => at, advance: (ms) => { at += ms; } };
}

const fail = (): Promise<never> => Promise.reject(new Error('boom'));
const succeed = (): Promise<string> => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('opens after failureThreshold failures among the last windowSize calls, then fails fast without calling', async () => {
    const time = clock();
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker('svc.user', { failureThreshold: 3, windowSize: 5, openMs: 1000, now: time.now, onStateChange: (state) => changes.push(state) });
    await breaker.run(succeed);
    for (let i = 0; i < 2; i++) await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    let called = false;
    const refused = breaker.run(() => { called = true; return succeed(); });
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow(/circuit svc.user is open until .*last failure: boom/u);
    expect(called).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('forgets failures that slid out of the window', async () => {
    const breaker = new CircuitBreaker('x', { failureThreshold: 2, windowSize: 3, now: clock().now });
    await expect(breaker.run(fail)).rejects.toThrow();
    for (let i = 0; i < 3; i++) await breaker.run(succeed);
    await expect(breaker.run(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('turns half-open after openMs, lets one probe through, and closes after successesToClose', async () => {
    const time = clock();
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker('x', { failureThreshold: 1, windowSize: 1, openMs: 500, successesToClose: 2, now: time.now, onStateChange: (state) => changes.push(state) });
    await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(499);
    expect(breaker.state).toBe('open');
    time.advance(1);
    expect(breaker.state).toBe('half-open');
    let release: () => void = () => undefined;
    const probe = breaker.run(() => new Promise<string>((resolve) => { release = () => { resolve('ok'); }; }));
    // A second call while the only probe is in flight is refused.
    await expect(breaker.run(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(probe).resolves.toBe('ok');
    expect(breaker.state).toBe('half-open');
    await breaker.run(succeed);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for another openMs when a probe fails', async () => {
    const time = clock();
    const breaker = new CircuitBreaker('x', { failureThreshold: 1, windowSize: 1, openMs: 500, now: time.now });
    await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(500);
    await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    time.advance(499);
    await expect(breaker.run(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('does not count errors the caller says are not the callee\'s fault', async () => {
    const breaker = new CircuitBreaker('x', { failureThreshold: 1, windowSize: 1, now: clock().now, isFailure: (error) => !(error instanceof TypeError) });
    await expect(breaker.run(() => Promise.reject(new TypeError('bad request')))).rejects.toThrow(TypeError);
    expect(breaker.state).toBe('closed');
  });

  it('refuses a threshold it could never reach', () => {
    expect(() => new CircuitBreaker('x', { failureThreshold: 11, windowSize: 10 })).toThrow(RangeError);
  });
});
