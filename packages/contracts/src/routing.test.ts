import { describe, expect, it } from '@jest/globals';
import {
  appliedKey,
  contractSubjectOf,
  encodeAppliedRecord,
  encodeRoutingRecord,
  parseAppliedRecord,
  parseRoutingRecord,
  processToken,
  RoutingRecordError,
  sideSubject,
  type RoutingRecord,
} from './routing.js';

const record: RoutingRecord = { weight: 30, fence: 4, owner: { namespace: 'nova', name: 'stage-2-users', uid: 'u-1' }, released: false, writtenAt: '2026-11-25T10:00:00.000Z' };

describe('routing records', () => {
  it('round-trip', () => {
    expect(parseRoutingRecord(encodeRoutingRecord(record))).toEqual(record);
    const applied = { process: 'user-service.pod-1.7', side: 'target' as const, revision: 9, weight: 30, at: '2026-11-25T10:00:01.000Z' };
    expect(parseAppliedRecord(encodeAppliedRecord(applied))).toEqual(applied);
    // Whether the process handles the context: written by current processes, absent (unknown) in older ones.
    for (const handles of [true, false]) expect(parseAppliedRecord(encodeAppliedRecord({ ...applied, handles }))).toEqual({ ...applied, handles });
    expect(() => parseAppliedRecord(JSON.stringify({ ...applied, handles: 'yes' }), 'nova_routing_applied bot.x')).toThrow('nova_routing_applied bot.x: handles must be true or false');
  });

  it.each([
    ['not JSON', '{', 'is not JSON'],
    ['an array', '[]', 'is not a JSON object'],
    ['a weight above 100', JSON.stringify({ ...record, weight: 101 }), 'weight must be an integer from 0 to 100'],
    ['a fractional weight', JSON.stringify({ ...record, weight: 12.5 }), 'weight must be an integer'],
    ['a negative fence', JSON.stringify({ ...record, fence: -1 }), 'fence must be an integer'],
    ['no owner', JSON.stringify({ ...record, owner: undefined }), 'owner must be an object'],
    ['released as text', JSON.stringify({ ...record, released: 'no' }), 'released must be true or false'],
  ])('refuses %s with a clear error', (_what, text, message) => {
    expect(() => parseRoutingRecord(text, 'nova_routing user')).toThrow(RoutingRecordError);
    expect(() => parseRoutingRecord(text, 'nova_routing user')).toThrow(`nova_routing user: ${message}`);
  });

  it('refuses to encode a weight outside 0–100', () => {
    expect(() => encodeRoutingRecord({ ...record, weight: 150 })).toThrow(RoutingRecordError);
  });

  it('makes one KV token of a process name', () => {
    expect(processToken('user-service.pod-7f9.12')).toBe('user-service_pod-7f9_12');
    expect(appliedKey('user', 'a.b c')).toBe('user.a_b_c');
    expect(() => processToken('')).toThrow(RoutingRecordError);
  });
});

describe('side subjects', () => {
  it.each([
    ['svc.user.get', 'svc.legacy.user.get'],
    ['svc.bot.*', 'svc.legacy.bot.*'],
    ['telegram.update.7.42', 'telegram.legacy.7.42'],
    ['telegram.update.7.-100200', 'telegram.legacy.7.-100200'],
    ['telegram.update.>', 'telegram.legacy.>'],
    ['telegram.update.7.*', 'telegram.legacy.7.*'],
  ])('%s is %s on the legacy side, and maps back', (subject, legacy) => {
    expect(sideSubject(subject, 'target')).toBe(subject);
    expect(sideSubject(subject, 'legacy')).toBe(legacy);
    expect(contractSubjectOf(legacy)).toBe(subject);
    expect(contractSubjectOf(subject)).toBe(subject);
  });

  it('leaves events alone: their side is decided per consuming context', () => {
    expect(sideSubject('nova.user.registered', 'legacy')).toBe('nova.user.registered');
    expect(contractSubjectOf('nova.user.registered')).toBe('nova.user.registered');
  });
});
