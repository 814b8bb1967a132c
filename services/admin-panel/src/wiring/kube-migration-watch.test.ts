import { describe, expect, it } from '@jest/globals';
import { backoffMs, watchEnd } from './kube-migration-watch.js';

describe('the migrations watch', () => {
  it('backs off 1 s, 2 s, 4 s … up to 30 s, and not at all without a failure', () => {
    expect([0, 1, 2, 3, 5, 6, 100].map((failures) => backoffMs(failures))).toEqual([0, 1_000, 2_000, 4_000, 16_000, 30_000, 30_000]);
  });

  it('lists again when the version is gone (an ERROR event or HTTP 410), resumes after a clean end, retries otherwise', () => {
    expect(watchEnd(null, { code: 410, reason: 'Expired' })).toEqual({ kind: 'relist' });
    expect(watchEnd(null, { code: 410, reason: 'Gone' })).toEqual({ kind: 'relist' });
    expect(watchEnd(Object.assign(new Error('Gone'), { statusCode: 410 }), undefined)).toEqual({ kind: 'relist' });
    expect(watchEnd(null, undefined)).toEqual({ kind: 'resume' });
    expect(watchEnd(Object.assign(new Error('Forbidden'), { statusCode: 403 }), undefined)).toEqual({ kind: 'failed', reason: 'HTTP 403' });
    expect(watchEnd(null, { code: 500, reason: 'InternalError' })).toEqual({ kind: 'failed', reason: 'watch error event 500 InternalError' });
    expect(watchEnd(new Error('socket hang up'), undefined)).toEqual({ kind: 'failed', reason: 'socket hang up' });
  });
});
