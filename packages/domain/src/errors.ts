import { create } from '@bufbuild/protobuf';
import { ErrorCode, ServiceErrorSchema, type ServiceError } from '@nova/contracts';

/** Machine-readable context of an error, e.g. `{ telegram_id: '42' }`; never a secret. */
export type ErrorDetails = Readonly<Record<string, string>>;

/**
 * A failure the domain expects and the caller can act on. Each subclass is one `ErrorCode` of
 * errors.proto, so a transport maps it to a `ServiceError` without parsing text. Messages are
 * for people and logs and must never carry a secret (bot tokens, keys, webhook secrets).
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.details = details;
  }
}

/** The request itself is wrong; retrying it unchanged fails again. */
export class InvalidArgumentError extends DomainError {
  override readonly name: string = 'InvalidArgumentError';
  readonly code = ErrorCode.INVALID_ARGUMENT;
}

export class NotFoundError extends DomainError {
  override readonly name: string = 'NotFoundError';
  readonly code = ErrorCode.NOT_FOUND;
}

export class AlreadyExistsError extends DomainError {
  override readonly name: string = 'AlreadyExistsError';
  readonly code = ErrorCode.ALREADY_EXISTS;
}

/** The system is not in a state that allows the operation (e.g. a bot half-added by someone else). */
export class FailedPreconditionError extends DomainError {
  override readonly name: string = 'FailedPreconditionError';
  readonly code = ErrorCode.FAILED_PRECONDITION;
}

/** The caller may not do this to this resource (e.g. remove someone else's bot). */
export class PermissionDeniedError extends DomainError {
  override readonly name: string = 'PermissionDeniedError';
  readonly code = ErrorCode.PERMISSION_DENIED;
}

/** A dependency (Telegram, another service, the event bus) failed; the same request may succeed later. */
export class UnavailableError extends DomainError {
  override readonly name: string = 'UnavailableError';
  readonly code = ErrorCode.UNAVAILABLE;
}

/** The caller stopped waiting (its deadline passed, or the process is draining) before the work was done. */
export class DeadlineExceededError extends DomainError {
  override readonly name: string = 'DeadlineExceededError';
  readonly code = ErrorCode.DEADLINE_EXCEEDED;
}

/** Any error a caller receives from another context, rebuilt from its `ServiceError`. */
export class RemoteDomainError extends DomainError {
  override readonly name = 'RemoteDomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: ErrorDetails,
    /** The context that produced it, e.g. "user". */
    readonly service: string,
  ) {
    super(message, details);
  }
}

/** What a caller sees for a failure that is not a DomainError: a bug or an infrastructure fault whose text may hold anything. */
const INTERNAL_MESSAGE = 'internal error';

/**
 * The reply body for a failed request. Only DomainErrors keep their message: any other error's
 * text (a SQL statement, a URL with a token in it) stays inside the process that threw it.
 */
export function toServiceError(error: unknown, service: string): ServiceError {
  if (error instanceof RemoteDomainError) {
    return create(ServiceErrorSchema, { code: error.code, message: error.message, details: { ...error.details }, service: error.service });
  }
  if (error instanceof DomainError) {
    return create(ServiceErrorSchema, { code: error.code, message: error.message, details: { ...error.details }, service });
  }
  return create(ServiceErrorSchema, { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE, details: {}, service });
}

/** The typed error a caller throws for a `ServiceError` reply, keeping code, message and details. */
export function fromServiceError(error: ServiceError): RemoteDomainError {
  const code = error.code === ErrorCode.UNSPECIFIED ? ErrorCode.INTERNAL : error.code;
  return new RemoteDomainError(code, error.message, { ...error.details }, error.service);
}

/** Whether retrying the same request later can succeed (the caller decides without reading text). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof DomainError)) return true;
  return [ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED, ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.INTERNAL].includes(error.code);
}
