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
    let release: (value: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => { release = resolve; });
    let calls = 0;
    const probe = breaker.run(() => { calls++; return slow; });
    // A second call while the only probe is in flight waits for it instead of reaching the callee.
    const waiting = breaker.run(() => { calls++; return Promise.resolve('second'); });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    release('ok');
    await expect(probe).resolves.toBe('ok');
    // The probe succeeded: the waiting call went on as the second probe, which closed the circuit.
    await expect(waiting).resolves.toBe('second');
    expect(calls).toBe(2);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('fails the calls that waited on a probe that failed, without calling the callee', async () => {
    const time = clock();
    const breaker = new CircuitBreaker('x', { failureThreshold: 1, windowSize: 1, openMs: 500, now: time.now });
    await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(500);
    let reject: (error: Error) => void = () => undefined;
    const stillDown = new Promise<string>((_resolve, rejectProbe) => { reject = rejectProbe; });
    const probe = breaker.run(() => stillDown);
    let reached = 0;
    const waiters = [1, 2, 3].map(() => breaker.run(() => { reached++; return Promise.resolve('ok'); }));
    reject(new Error('still down'));
    await expect(probe).rejects.toThrow('still down');
    for (const waiter of waiters) await expect(waiter).rejects.toBeInstanceOf(CircuitOpenError);
    expect(reached).toBe(0);
    expect(breaker.state).toBe('open');
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
