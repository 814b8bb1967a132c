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

/** A message body that does not decode as its subject's protobuf message. */
export class DecodeError extends BusError {
  override readonly name = 'DecodeError';
  constructor(readonly subject: string, readonly typeName: string, cause: unknown) {
    super(`cannot decode ${typeName} on ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
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

function codeClass(code: ErrorCode, name: string) {
  return class extends ServiceCallError {
    override readonly name = name;
    constructor(message: string, details: Readonly<Record<string, string>> = {}, service = '') {
      super(code, message, details, service);
    }
  };
}

export class InvalidArgumentError extends codeClass(ErrorCode.INVALID_ARGUMENT, 'InvalidArgumentError') {}
export class NotFoundError extends codeClass(ErrorCode.NOT_FOUND, 'NotFoundError') {}
export class AlreadyExistsError extends codeClass(ErrorCode.ALREADY_EXISTS, 'AlreadyExistsError') {}
export class FailedPreconditionError extends codeClass(ErrorCode.FAILED_PRECONDITION, 'FailedPreconditionError') {}
export class PermissionDeniedError extends codeClass(ErrorCode.PERMISSION_DENIED, 'PermissionDeniedError') {}
export class ResourceExhaustedError extends codeClass(ErrorCode.RESOURCE_EXHAUSTED, 'ResourceExhaustedError') {}
export class UnavailableError extends codeClass(ErrorCode.UNAVAILABLE, 'UnavailableError') {}
export class DeadlineExceededError extends codeClass(ErrorCode.DEADLINE_EXCEEDED, 'DeadlineExceededError') {}
export class InternalError extends codeClass(ErrorCode.INTERNAL, 'InternalError') {}

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
