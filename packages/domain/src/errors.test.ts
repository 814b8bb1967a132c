import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { ErrorCode, ServiceErrorSchema } from '@nova/contracts';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RemoteDomainError,
  UnavailableError,
  fromServiceError,
  isRetryable,
  toServiceError,
} from './errors.js';

describe('domain errors and errors.proto', () => {
  it('each class carries its code, details and name', () => {
    const cases = [
      [new InvalidArgumentError('bad', { field: 'x' }), ErrorCode.INVALID_ARGUMENT, 'InvalidArgumentError'],
      [new NotFoundError('none'), ErrorCode.NOT_FOUND, 'NotFoundError'],
      [new AlreadyExistsError('dup'), ErrorCode.ALREADY_EXISTS, 'AlreadyExistsError'],
      [new FailedPreconditionError('state'), ErrorCode.FAILED_PRECONDITION, 'FailedPreconditionError'],
      [new PermissionDeniedError('no'), ErrorCode.PERMISSION_DENIED, 'PermissionDeniedError'],
      [new UnavailableError('later'), ErrorCode.UNAVAILABLE, 'UnavailableError'],
    ] as const;
    for (const [error, code, name] of cases) {
      expect({ code: error.code, name: error.name }).toEqual({ code, name });
      expect(error).toBeInstanceOf(Error);
    }
    expect(new InvalidArgumentError('bad', { field: 'x' }).details).toEqual({ field: 'x' });
  });

  it('maps a domain error to a ServiceError with the serving context', () => {
    const reply = toServiceError(new NotFoundError('no user 42', { telegram_id: '42' }), 'user');
    expect(reply).toMatchObject({ code: ErrorCode.NOT_FOUND, message: 'no user 42', details: { telegram_id: '42' }, service: 'user' });
  });

  it('hides the text of anything that is not a domain error', () => {
    const leak = new Error('connect ECONNREFUSED https://api.telegram.org/bot123:AAAA-secret/getMe');
    const reply = toServiceError(leak, 'bot');
    expect(reply).toMatchObject({ code: ErrorCode.INTERNAL, message: 'internal error', service: 'bot' });
    expect(JSON.stringify(reply.details)).toBe('{}');
    expect(toServiceError('a string', 'bot').code).toBe(ErrorCode.INTERNAL);
  });

  it('round-trips through the wire type, keeping the original service when relayed', () => {
    const remote = fromServiceError(create(ServiceErrorSchema, { code: ErrorCode.PERMISSION_DENIED, message: 'not yours', details: { bot_id: '7' }, service: 'bot' }));
    expect(remote).toBeInstanceOf(RemoteDomainError);
    expect(remote).toMatchObject({ code: ErrorCode.PERMISSION_DENIED, message: 'not yours', details: { bot_id: '7' }, service: 'bot' });
    expect(toServiceError(remote, 'monolith').service).toBe('bot');
    expect(fromServiceError(create(ServiceErrorSchema, {})).code).toBe(ErrorCode.INTERNAL);
  });

  it('says which failures are worth retrying', () => {
    expect(isRetryable(new UnavailableError('down'))).toBe(true);
    expect(isRetryable(new Error('bug or infrastructure'))).toBe(true);
    expect(isRetryable(new InvalidArgumentError('bad'))).toBe(false);
    expect(isRetryable(new NotFoundError('gone'))).toBe(false);
    expect(isRetryable(new RemoteDomainError(ErrorCode.DEADLINE_EXCEEDED, 'slow', {}, 'user'))).toBe(true);
  });
});
