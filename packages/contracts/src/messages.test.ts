import { describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate, timestampDate } from '@bufbuild/protobuf/wkt';
import { EVENT_SCHEMAS } from './events.js';
import { BotRole, TelegramUpdateSchema } from './gen/nova/v1/telegram_pb.js';
import { ErrorCode, ServiceErrorSchema } from './gen/nova/v1/errors_pb.js';
import { REQUEST_METHODS } from './requests.js';
import { EVENTS, METHODS, type EventSubject, type ServiceSubject } from './subjects.js';

describe('generated messages', () => {
  it('a Telegram update envelope survives the wire byte for byte', () => {
    const raw = new TextEncoder().encode(JSON.stringify({ update_id: 1001, message: { chat: { id: -100 } } }));
    const receivedAt = new Date('2026-01-02T03:04:05.678Z');
    const update = create(TelegramUpdateSchema, {
      rawUpdate: raw,
      botId: 123456789n,
      updateId: 1001n,
      receivedAt: timestampFromDate(receivedAt),
      chatId: -100n,
      userId: 55n,
      kind: 'message',
      botRole: BotRole.CHILD,
    });
    const decoded = fromBinary(TelegramUpdateSchema, toBinary(TelegramUpdateSchema, update));
    expect(decoded.rawUpdate).toEqual(raw);
    expect(decoded.chatId).toBe(-100n);
    expect(decoded.botRole).toBe(BotRole.CHILD);
    expect(decoded.receivedAt && timestampDate(decoded.receivedAt).toISOString()).toBe(receivedAt.toISOString());
  });

  it('a typed error carries code, message and details', () => {
    const error = create(ServiceErrorSchema, {
      code: ErrorCode.NOT_FOUND,
      message: 'no such user',
      details: { telegram_id: '42' },
      service: 'user',
    });
    const decoded = fromBinary(ServiceErrorSchema, toBinary(ServiceErrorSchema, error));
    expect(decoded.code).toBe(ErrorCode.NOT_FOUND);
    expect(ErrorCode[decoded.code]).toBe('NOT_FOUND');
    expect(decoded.details).toEqual({ telegram_id: '42' });
  });
});

describe('subject tables', () => {
  it('every declared event has a schema and every declared method an rpc', () => {
    const eventSubjects = Object.entries(EVENTS).flatMap(([context, names]) =>
      (names as readonly string[]).map((name) => `nova.${context}.${name}`),
    );
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual(eventSubjects.sort());
    const serviceSubjects = Object.entries(METHODS).flatMap(([context, names]) =>
      (names as readonly string[]).map((name) => `svc.${context}.${name}`),
    );
    expect(Object.keys(REQUEST_METHODS).sort()).toEqual(serviceSubjects.sort());
  });

  it('pairs each subject with the rpc of its own context', () => {
    for (const [subject, method] of Object.entries(REQUEST_METHODS) as [ServiceSubject, (typeof REQUEST_METHODS)[ServiceSubject]][]) {
      const context = subject.split('.')[1] ?? '';
      expect(method.parent.typeName.toLowerCase()).toBe(`nova.v1.${context}service`);
      expect(method.methodKind).toBe('unary');
    }
    for (const [subject, schema] of Object.entries(EVENT_SCHEMAS) as [EventSubject, (typeof EVENT_SCHEMAS)[EventSubject]][]) {
      expect(schema.typeName.startsWith('nova.v1.')).toBe(true);
      expect(subject.startsWith('nova.')).toBe(true);
    }
  });
});
