/**
 * The baseline of the webhook benchmark: a bare node:http server that reads the body, takes the
 * update id and chat from it, awaits a raw `js.publish` to stream TELEGRAM with the msgID, and
 * answers 200. No authentication, no validation, no metrics, no tracing, no logging: what any
 * webhook that answers only after the JetStream ack cannot do without.
 *
 * Env: NOVA_NATS_URL, NOVA_HTTP_ADDRESS (host:port). /readyz answers 200 once connected.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { serveBare } from './bare-server.js';

const nc = await connect({ servers: (process.env.NOVA_NATS_URL ?? '').split(',') });
const js = jetstream(nc);
const BOT = 5_000_000_001;

const server = serveBare((body, response) => {
  const update = JSON.parse(body.toString('utf8')) as { update_id: number; message: { chat: { id: number } } };
  js.publish(`telegram.update.${String(BOT)}.${String(update.message.chat.id)}`, body, { msgID: `${String(BOT)}:${String(update.update_id)}` }).then(
    () => { response.writeHead(200).end(); },
    () => { response.writeHead(503).end(); },
  );
});
process.once('SIGTERM', () => { server.close(); void nc.drain().then(() => process.exit(0)); });
