import { describe, expect, it } from '@jest/globals';
import { sseComment, sseEvent, sseRetry } from './event-stream.js';
import { encodeChange } from './migration-stream.js';

describe('server-sent events', () => {
  it('frames an event as event and data lines ended by a blank line, one data line per line', () => {
    expect(sseEvent('row', '{"a":1}')).toBe('event: row\ndata: {"a":1}\n\n');
    expect(sseEvent('x', 'one\ntwo\r\nthree')).toBe('event: x\ndata: one\ndata: two\ndata: three\n\n');
    expect(() => sseEvent('a\nb', '')).toThrow(RangeError);
  });

  it('writes comments on one line and the reconnection delay', () => {
    expect(sseComment('keep\nalive')).toBe(': keep alive\n\n');
    expect(sseRetry(3000)).toBe('retry: 3000\n\n');
  });

  it('encodes a row as JSON on one line (a message with a line break stays one event)', () => {
    const row = { key: 'nova/m', name: 'nova/m', stage: '8', route: '/admin/', phase: 'Paused', weight: '25 %', step: 'pause', analysis: '—', message: 'a\nb' };
    const event = encodeChange({ kind: 'row', row });
    expect(event.split('\n').filter((line) => line.startsWith('data: '))).toHaveLength(1);
    expect(JSON.parse(event.slice(event.indexOf('data: ') + 6).trim())).toEqual(row);
    expect(encodeChange({ kind: 'gone', key: 'nova/m' })).toBe('event: gone\ndata: {"key":"nova/m"}\n\n');
  });
});
