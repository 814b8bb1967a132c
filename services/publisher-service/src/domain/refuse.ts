/**
 * The publisher's refusals: each carries a reason code and its arguments in its details (the
 * contract's refusal catalogue, @nova/contracts), so the main bot and the admin panel word it in
 * the language of the person who asked, alike in the monolith and the services. The message is
 * the English wording, for logs and for callers older than the codes.
 */
import { refusalDetails, refusalMessage, type RefusalArguments, type RefusalReason } from '@nova/contracts';
import type { DomainError, ErrorDetails } from '@nova/domain';

type DomainErrorClass = new (message: string, details: ErrorDetails) => DomainError;

/** The error to throw: `Kind` says what a caller may do (its code), `reason` what a person reads. */
export function refusal<R extends RefusalReason>(Kind: DomainErrorClass, reason: R, args: RefusalArguments<R>, extra: ErrorDetails = {}): DomainError {
  return new Kind(refusalMessage(reason, args), refusalDetails(reason, args, extra));
}
