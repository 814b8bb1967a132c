export { CircuitBreaker, CircuitBreakers, CIRCUIT_DEFAULTS, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
export { CircuitOpenError } from './errors.js';
export { backoffDelay, backoffSchedule, sleep, type BackoffOptions } from './backoff.js';
export { currentWaitLedger, timeOwnWork, WaitLedger, type TimedWork, type TimeOwnWorkOptions } from './outside-waits.js';
