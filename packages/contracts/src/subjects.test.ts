import { describe, expect, it } from '@jest/globals';
import { SubjectError } from './errors.js';
import {
  CONTEXTS,
  EVENTS,
  METHODS,
  STREAM_SUBJECTS,
  STREAMS,
  SUBJECTS,
  deadLetterFilter,
  deadLetterSubject,
  eventMsgId,
  eventSubject,
  parseDeadLetterSubject,
  parseTelegramMsgId,
  parseTelegramUpdateSubject,
  serviceSubject,
  serviceWildcard,
  telegramMsgId,
  telegramUpdateFilter,
  telegramUpdateSubject,
} from './subjects.js';

/** NATS wildcard matching, enough to check that stream subjects capture what we publish. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

describe('streams', () => {
  it('each stream captures its own subjects and no other stream captures them', () => {
    const samples: Record<string, string> = {
      NOVA: eventSubject('user', 'registered'),
      TELEGRAM: telegramUpdateSubject(123n, -100500),
      DLQ: deadLetterSubject('TELEGRAM', telegramUpdateSubject(1, 2)),
    };
    for (const stream of Object.values(STREAMS)) {
      for (const [owner, subject] of Object.entries(samples)) {
        const captured = STREAM_SUBJECTS[stream].some((filter) => matches(filter, subject));
        expect({ stream, subject, captured }).toEqual({ stream, subject, captured: owner === stream });
      }
    }
  });

  it('request subjects are captured by no stream (request/reply is not persisted)', () => {
    const all = Object.values(STREAM_SUBJECTS).flat();
    expect(all.some((filter) => matches(filter, serviceSubject('user', 'get')))).toBe(false);
  });
});

describe('event and service subjects', () => {
  it('builds nova.<context>.<event> and svc.<context>.<method>', () => {
    expect(eventSubject('user', 'registered')).toBe('nova.user.registered');
    expect(eventSubject('bot', 'removed')).toBe('nova.bot.removed');
    expect(serviceSubject('user', 'stats')).toBe('svc.user.stats');
    expect(serviceSubject('bot', 'list')).toBe('svc.bot.list');
    expect(serviceWildcard('user')).toBe('svc.user.*');
  });

  it('refuses an event or method the context does not declare (callers without types)', () => {
    const untyped = eventSubject as (context: string, event: string) => string;
    expect(() => untyped('user', 'deleted')).toThrow(SubjectError);
    const untypedSvc = serviceSubject as (context: string, method: string) => string;
    expect(() => untypedSvc('bot', 'upsert')).toThrow(/answers no method "upsert"/);
  });

  it('the constants agree with the builders and every context has an entry', () => {
    expect(Object.keys(EVENTS).sort()).toEqual([...CONTEXTS].sort());
    expect(Object.keys(METHODS).sort()).toEqual([...CONTEXTS].sort());
    for (const subject of Object.values(SUBJECTS)) {
      const [kind, context, name] = subject.split('.') as [string, 'user', 'get'];
      const rebuilt = kind === 'nova' ? eventSubject(context, name as never) : serviceSubject(context, name);
      expect(rebuilt).toBe(subject);
    }
  });
});

describe('telegram updates', () => {
  it('puts bot and chat in the subject, negative group chats included', () => {
    expect(telegramUpdateSubject(7_000_000_001, 42)).toBe('telegram.update.7000000001.42');
    expect(telegramUpdateSubject(7n, -1001234567890n)).toBe('telegram.update.7.-1001234567890');
    expect(parseTelegramUpdateSubject('telegram.update.7.-1001234567890')).toEqual({ botId: 7n, chatId: -1001234567890n });
  });

  it('filters one bot or all bots', () => {
    expect(telegramUpdateFilter()).toBe('telegram.update.>');
    expect(telegramUpdateFilter(9)).toBe('telegram.update.9.*');
    expect(matches(telegramUpdateFilter(9), telegramUpdateSubject(9, -5))).toBe(true);
    expect(matches(telegramUpdateFilter(9), telegramUpdateSubject(90, 5))).toBe(false);
  });

  it('refuses ids that would break the subject', () => {
    expect(() => telegramUpdateSubject(-1, 1)).toThrow(/bot id must be a non-negative integer/);
    expect(() => telegramUpdateSubject(1.5, 1)).toThrow(SubjectError);
    expect(() => telegramUpdateSubject(Number.MAX_SAFE_INTEGER + 10, 1)).toThrow(SubjectError);
    expect(() => parseTelegramUpdateSubject('telegram.update.7.*')).toThrow(SubjectError);
    expect(() => parseTelegramUpdateSubject('telegram.update.abc.1')).toThrow(SubjectError);
  });

  it('msgID is <bot>:<update_id> and round-trips', () => {
    expect(telegramMsgId(123456789n, 1001)).toBe('123456789:1001');
    expect(parseTelegramMsgId('123456789:1001')).toEqual({ botId: 123456789n, updateId: 1001n });
    expect(telegramMsgId(1, 2)).not.toBe(telegramMsgId(2, 1));
    expect(() => parseTelegramMsgId('123456789:ABC-token')).toThrow(SubjectError);
    expect(() => telegramMsgId(1, -1)).toThrow(/update id/);
  });
});

describe('event msgIDs and dead letters', () => {
  it('event msgID joins subject and fact key', () => {
    expect(eventMsgId('nova.user.registered', 42n)).toBe('nova.user.registered:42');
    expect(() => eventMsgId('nova.bot.added', '')).toThrow(SubjectError);
    expect(() => eventMsgId('nova.bot.added', 'a b')).toThrow(SubjectError);
  });

  it('dead-letter subjects keep the original subject for replay', () => {
    const original = telegramUpdateSubject(5, -77);
    const dead = deadLetterSubject('TELEGRAM', original);
    expect(dead).toBe('dlq.telegram.telegram.update.5.-77');
    expect(parseDeadLetterSubject(dead)).toEqual({ stream: 'TELEGRAM', subject: original });
    expect(parseDeadLetterSubject(deadLetterSubject('NOVA', 'nova.user.registered'))).toEqual({
      stream: 'NOVA',
      subject: 'nova.user.registered',
    });
    expect(matches(deadLetterFilter('TELEGRAM'), dead)).toBe(true);
    expect(matches(deadLetterFilter('NOVA'), dead)).toBe(false);
  });

  it('refuses wildcards and empty tokens in a dead-letter subject', () => {
    expect(() => deadLetterSubject('NOVA', 'nova.user.*')).toThrow(SubjectError);
    expect(() => deadLetterSubject('NOVA', 'nova..user')).toThrow(SubjectError);
    expect(() => parseDeadLetterSubject('dlq.other.x')).toThrow(SubjectError);
  });
});
