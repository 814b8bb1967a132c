/** What the runtime needs to know about a failed apiserver call, whatever client raised it. */
import { ApiException } from '@kubernetes/client-node';

/** HTTP status of an apiserver answer (ApiException, or the watch's `statusCode` errors); undefined for network errors. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof ApiException) return (error as ApiException<unknown>).code;
  if (typeof error === 'object' && error !== null) {
    const record = error as { statusCode?: unknown; code?: unknown };
    if (typeof record.statusCode === 'number') return record.statusCode;
    if (typeof record.code === 'number') return record.code;
  }
  return undefined;
}

export const isNotFound = (error: unknown): boolean => httpStatus(error) === 404;
export const isConflict = (error: unknown): boolean => httpStatus(error) === 409;
export const isForbidden = (error: unknown): boolean => httpStatus(error) === 403;

/**
 * A write whose precondition failed: 409 for a stale resourceVersion; 422 without field causes
 * for a JSON patch whose `test` operation did not hold (the apiserver says only "the server
 * rejected our request due to an error in our request"). Validation failures are 422 too, but
 * name the offending fields in details.causes.
 */
export function isStale(error: unknown): boolean {
  const status = httpStatus(error);
  if (status === 409) return true;
  if (status !== 422 || !(error instanceof ApiException)) return false;
  const body = statusBody(error);
  return (body?.details?.causes ?? []).length === 0;
}

interface StatusBody {
  readonly message?: string;
  readonly details?: { readonly causes?: readonly unknown[] };
}

function statusBody(error: ApiException<unknown>): StatusBody | undefined {
  const body: unknown = error.body;
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** One line for logs: the apiserver's message when there is one, never the request's credentials. */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const apiError = error as ApiException<unknown>;
    const body = statusBody(apiError);
    const message = body?.message ?? (typeof apiError.body === 'string' ? apiError.body.slice(0, 300) : undefined);
    return `HTTP ${apiError.code}${message === undefined ? '' : `: ${message}`}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Wraps an error with what the runtime was doing, keeping the original as `cause`. */
export class KubeOperationError extends Error {
  constructor(
    readonly operation: string,
    readonly target: string,
    cause: unknown,
  ) {
    super(`${operation} ${target}: ${describeError(cause)}`, { cause });
    this.name = 'KubeOperationError';
  }

  get status(): number | undefined {
    return httpStatus(this.cause);
  }
}
