/**
 * Two error vocabularies meet here. Domain code throws and inspects @nova/domain's DomainErrors
 * (isRetryable decides a retry); the bus carries @nova/bus's ServiceCallErrors across a request
 * and has transport failures of its own (timeouts, no responders, an open circuit). Both are
 * keyed by errors.proto's ErrorCode, so each maps onto the other without reading text.
 */
import { BusClosedError, CircuitOpenError, NoRespondersError, RequestTimeoutError, ServiceCallError, serviceCallError } from '@nova/bus';
import { DeadlineExceededError, DomainError, RemoteDomainError, UnavailableError } from '@nova/domain';

/**
 * A handler's failure as the bus sends it back: a DomainError keeps its code, message and
 * details; anything else is returned unchanged for the bus to report as INTERNAL with its text
 * hidden (it may be a SQL statement or a URL with a token in it).
 */
export function toBusError(error: unknown, context: string): unknown {
  if (error instanceof RemoteDomainError) return serviceCallError(error.code, error.message, error.details, error.service);
  if (error instanceof DomainError) return serviceCallError(error.code, error.message, error.details, context);
  return error;
}

/**
 * A failed request as the calling domain sees it: the callee's answer as a RemoteDomainError
 * with its code, and the transport's failures as the retryable errors they are (the callee is
 * down, slow, or its circuit is open). The original stays as `cause`.
 */
export function toDomainError(error: unknown): unknown {
  if (error instanceof ServiceCallError) return new RemoteDomainError(error.code, error.message, error.details, error.service);
  if (error instanceof RequestTimeoutError) return new DeadlineExceededError(error.message, { subject: error.subject }, { cause: error });
  if (error instanceof NoRespondersError) return new UnavailableError(error.message, { subject: error.subject }, { cause: error });
  if (error instanceof CircuitOpenError) return new UnavailableError(error.message, { circuit: error.circuit }, { cause: error });
  if (error instanceof BusClosedError) return new UnavailableError(error.message, {}, { cause: error });
  return error;
}
