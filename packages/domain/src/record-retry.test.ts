import { describe, expect, it } from '@jest/globals';
import { retryRecord } from './record-retry.js';

class DatabaseDown extends Error {
  override readonly name = 'DatabaseDown';
}

describe('retryRecord', () => {
  it('retries a failing record until it succeeds, within its time', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await retryRecord(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(new DatabaseDown('57P01')) : Promise.resolve('recorded');
    }, { until: Date.now() + 10_000, onRetry: (_error, attempt) => retried.push(attempt) });
    expect(result).toBe('recorded');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('throws the last error once the next try would come after `until`', async () => {
    let calls = 0;
    const failing = retryRecord(() => { calls += 1; return Promise.reject(new DatabaseDown(`try ${String(calls)}`)); }, { until: Date.now() + 250 });
    await expect(failing).rejects.toThrow(DatabaseDown);
    // 100 ms, then 200 ms would pass 250 ms: two tries, then the error.
    expect(calls).toBe(2);
  });

  it('throws at once when the process is stopping', async () => {
    const stopping = new AbortController();
    stopping.abort();
    let calls = 0;
    await expect(retryRecord(() => { calls += 1; return Promise.reject(new DatabaseDown('down')); }, { until: Date.now() + 60_000, stopping: stopping.signal })).rejects.toThrow('down');
    expect(calls).toBe(1);
  });
});
