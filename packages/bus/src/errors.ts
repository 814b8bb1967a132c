/**
 * Typed errors of the bus. Request handlers throw ServiceCallError subclasses (NotFoundError,
 * InvalidArgumentError, ...); the reply carries the code in the `Nova-Error` header and a
 * nova.v1.ServiceError body; the caller gets the same class back. Transport failures have their
 * own classes: RequestTimeoutError, NoRespondersError, and CircuitOpenError from
 * @nova/resilience when a callee's breaker is open.
 */
import { ErrorCode } from '@nova/contracts';

export class BusError extends Error {
  override readonly name: string = 'BusError';
}

/** A request got no reply within its timeout. */
export class RequestTimeoutError extends BusError {
  override readonly name = 'RequestTimeoutError';
  constructor(readonly subject: string, readonly timeoutMs: number) {
    super(`request ${subject} got no reply within ${String(timeoutMs)} ms`);
  }
}

/**
 * JetStream did not acknowledge a publish within the client's timeout. nats.js's own TimeoutError
 * names nothing, and the connection keeps no call-site stack for it (noAsyncTraces), so this one
 * says which subject it was.
 */
export class PublishTimeoutError extends BusError {
  override readonly name = 'PublishTimeoutError';
  constructor(readonly subject: string, readonly timeoutMs: number, options?: ErrorOptions) {
    super(`publish to ${subject} was not acknowledged by JetStream within ${String(timeoutMs)} ms`, options);
  }
}

/** Nobody listens on a request subject (the service is down or not deployed). */
export class NoRespondersError extends BusError {
  override readonly name = 'NoRespondersError';
  constructor(readonly subject: string) {
    super(`no responders for ${subject}: the service answering it is not running`);
  }
}

/** The bus is closed or closing: nothing more can be sent. */
export class BusClosedError extends BusError {
  override readonly name = 'BusClosedError';
  constructor(operation: string) {
    super(`the bus is closed: cannot ${operation}`);
  }
}

/**
 * The connection to NATS is down (reconnecting): a publish would only wait out its timeout. Failing
 * at once lets a webhook answer 503 now, so Telegram retries (elsewhere) instead of holding the
 * bot's whole delivery queue behind a request that cannot succeed.
 */
export class BrokerUnavailableError extends BusError {
  override readonly name = 'BrokerUnavailableError';
  constructor(readonly subject: string) {
    super(`cannot publish to ${subject}: not connected to NATS (reconnecting)`);
  }
}

/** A message body that does not decode as its subject's protobuf message. */
export class DecodeError extends BusError {
  override readonly name = 'DecodeError';
  constructor(readonly subject: string, readonly typeName: string, cause: unknown) {
    super(`cannot decode ${typeName} on ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Thrown by a consumer's handler for a message no redelivery can fix (it is well-formed on the
 * wire but the domain refuses it for good): the bus dead-letters it at once instead of spending
 * its retries, and holding its chat's partition, on it. Replay it once the cause is fixed.
 */
export class UnprocessableMessageError extends BusError {
  override readonly name = 'UnprocessableMessageError';
}

/** A consumer, stream or binding that is declared wrong (caught at start, not per message). */
export class BusConfigError extends BusError {
  override readonly name = 'BusConfigError';
}

/** A failed request, as its handler decided; `code` says what the caller should do. */
export class ServiceCallError extends BusError {
  override readonly name: string = 'ServiceCallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
    /** The context that produced it, filled in by the server side. */
    readonly service = '',
  ) {
    super(message);
  }
}

export class InvalidArgumentError extends ServiceCallError {
  override readonly name: string = 'InvalidArgumentError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.INVALID_ARGUMENT, message, details, service);
  }
}

export class NotFoundError extends ServiceCallError {
  override readonly name: string = 'NotFoundError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.NOT_FOUND, message, details, service);
  }
}

export class AlreadyExistsError extends ServiceCallError {
  override readonly name: string = 'AlreadyExistsError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.ALREADY_EXISTS, message, details, service);
  }
}

export class FailedPreconditionError extends ServiceCallError {
  override readonly name: string = 'FailedPreconditionError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.FAILED_PRECONDITION, message, details, service);
  }
}

export class PermissionDeniedError extends ServiceCallError {
  override readonly name: string = 'PermissionDeniedError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.PERMISSION_DENIED, message, details, service);
  }
}

export class ResourceExhaustedError extends ServiceCallError {
  override readonly name: string = 'ResourceExhaustedError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.RESOURCE_EXHAUSTED, message, details, service);
  }
}

export class UnavailableError extends ServiceCallError {
  override readonly name: string = 'UnavailableError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.UNAVAILABLE, message, details, service);
  }
}

export class DeadlineExceededError extends ServiceCallError {
  override readonly name: string = 'DeadlineExceededError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.DEADLINE_EXCEEDED, message, details, service);
  }
}

export class InternalError extends ServiceCallError {
  override readonly name: string = 'InternalError';
  constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
    super(ErrorCode.INTERNAL, message, details, service);
  }
}

const BY_CODE: Partial<Record<ErrorCode, new (message: string, details?: Readonly<Record<string, string>>, service?: string) => ServiceCallError>> = {
  [ErrorCode.INVALID_ARGUMENT]: InvalidArgumentError,
  [ErrorCode.NOT_FOUND]: NotFoundError,
  [ErrorCode.ALREADY_EXISTS]: AlreadyExistsError,
  [ErrorCode.FAILED_PRECONDITION]: FailedPreconditionError,
  [ErrorCode.PERMISSION_DENIED]: PermissionDeniedError,
  [ErrorCode.RESOURCE_EXHAUSTED]: ResourceExhaustedError,
  [ErrorCode.UNAVAILABLE]: UnavailableError,
  [ErrorCode.DEADLINE_EXCEEDED]: DeadlineExceededError,
  [ErrorCode.INTERNAL]: InternalError,
};

/** The typed error for a code read off a reply (unknown codes read as INTERNAL). */
export function serviceCallError(code: ErrorCode, message: string, details: Readonly<Record<string, string>>, service: string): ServiceCallError {
  const Class = BY_CODE[code] ?? InternalError;
  return new Class(message, details, service);
}

/** Codes that say the callee is unwell (they count against its circuit breaker). */
const CALLEE_FAULTS = new Set<ErrorCode>([ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED, ErrorCode.INTERNAL, ErrorCode.UNSPECIFIED]);

/** True for errors that say something about the callee's health rather than about the request. */
export function isCalleeFault(error: unknown): boolean {
  if (error instanceof ServiceCallError) return CALLEE_FAULTS.has(error.code);
  return error instanceof RequestTimeoutError || error instanceof NoRespondersError || !(error instanceof BusError);
}
