import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { DataPlaneRejectedError, RouteNotFoundError } from './errors.js';
import { apiFailure, isStaleWrite, testableValue, translateApiError } from './kube-writes.js';
import type { ProviderMigration } from './provider.js';

const migration = { namespace: 'nova', name: 'm' } as ProviderMigration;

// Bodies as kube-apiserver v1.37 sends them (captured from the test bed's apiserver).
const failedTest = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422 });
const invalid = JSON.stringify({
  kind: 'Status',
  message: 'VirtualService.networking.istio.io "x" is invalid: spec.http[0].timeout: Invalid value: "integer": spec.http[0].timeout in body must be of type string',
  reason: 'Invalid',
  details: { causes: [{ reason: 'FieldValueTypeInvalid', field: 'spec.http[0].timeout' }] },
  code: 422,
});

function exception(code: number, body: string): ApiException<string> {
  return new ApiException(code, 'Unknown API Status Code!', body, {});
}

describe('apiserver answers', () => {
  it('tells a failed JSON patch test (stale read) from a schema rejection', () => {
    expect(isStaleWrite(exception(422, failedTest))).toBe(true);
    expect(isStaleWrite(exception(409, '{"reason":"Conflict"}'))).toBe(true);
    expect(isStaleWrite(exception(422, invalid))).toBe(false);
    expect(isStaleWrite(new Error('socket hang up'))).toBe(false);
    expect(apiFailure(exception(422, invalid))).toMatchObject({ code: 422, reason: 'Invalid', fieldCauses: true });
  });

  it('maps refusals to typed errors and keeps the server message', () => {
    expect(translateApiError(migration, 'VirtualService nova/x', exception(404, '{}'))).toBeInstanceOf(RouteNotFoundError);
    const rejected = translateApiError(migration, 'VirtualService nova/x', exception(422, invalid));
    expect(rejected).toBeInstanceOf(DataPlaneRejectedError);
    expect(rejected.message).toContain('must be of type string');
    expect(translateApiError(migration, 'x', exception(403, '{"message":"forbidden"}')).message).toContain('HTTP 403');
  });

  it('only pins values the server encodes byte for byte like we do', () => {
    expect(testableValue([{ destination: { host: 'a' }, weight: 10 }])).toBe(true);
    // The apiserver writes & as \u0026: a test on "a&b" fails even when the value is equal (seen on v1.37).
    expect(testableValue({ name: 'a&b' })).toBe(false);
    expect(testableValue('<x>')).toBe(false);
  });
});
