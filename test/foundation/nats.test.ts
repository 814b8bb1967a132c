/**
 * The test bed's nats-server runs JetStream for real: it deduplicates by message id within the
 * stream's window and redelivers what a durable consumer did not acknowledge.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { component } from '@nova/testbed';
import { randomBytes } from 'node:crypto';

const stream = `FOUNDATION_${randomBytes(3).toString('hex').toUpperCase()}`;
const subject = `foundation.${stream.toLowerCase()}.updates`;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: component('nats').url });
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
  await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: 60_000_000_000 });
});

afterAll(async () => {
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

describe('NATS JetStream', () => {
  it('reports a publish with a repeated msgID as duplicate and stores it once', async () => {
    const first = await js.publish(subject, 'update 1001', { msgID: 'tg-update-1001' });
    const again = await js.publish(subject, 'update 1001', { msgID: 'tg-update-1001' });
    const other = await js.publish(subject, 'update 1002', { msgID: 'tg-update-1002' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    expect(other.duplicate).toBe(false);
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBe(2);
  });

  it('redelivers to a durable consumer a message it did not acknowledge', async () => {
    const durable = 'redelivery';
    await jsm.consumers.add(stream, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, ack_wait: 1_000_000_000,
    });
    await js.publish(subject, 'needs work', { msgID: 'tg-update-2001' });
    const consumer = await js.consumers.get(stream, durable);
    const first = await consumer.next({ expires: 5_000 });
    if (first === null) throw new Error('the durable consumer got nothing');
    expect(first.string()).toBe('needs work');
    expect(first.redelivered).toBe(false);
    // No ack: after ack_wait (1 s) the server must hand the same message out again.
    const second = await consumer.next({ expires: 10_000 });
    if (second === null) throw new Error('the un-acked message was not redelivered');
    expect(second.string()).toBe('needs work');
    expect(second.seq).toBe(first.seq);
    expect(second.redelivered).toBe(true);
    expect(second.info.deliveryCount).toBe(2);
    // ackAck (not ack) waits for the server to confirm, so the consumer info below is settled.
    expect(await second.ackAck()).toBe(true);
    const after = await jsm.consumers.info(stream, durable);
    expect(after.num_ack_pending).toBe(0);
  });
});
